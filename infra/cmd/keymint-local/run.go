package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/keymint/keymint/infra/localapi"
	"github.com/keymint/keymint/infra/localfn"
	"github.com/keymint/keymint/infra/localrt"
	"github.com/keymint/keymint/internal/ddblocal"
	"github.com/keymint/keymint/shared/token"
)

// apiID is the HttpApi the local server serves.
const apiID = "KeymintApi"

func cmdRun(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	template := fs.String("template", "template.yaml", "SAM template")
	envVars := fs.String("env-vars", "", "`sam local --env-vars` style JSON overriding function variables")
	if err := fs.Parse(args); err != nil {
		return exitError{2}
	}
	s, err := loadSettings(*template, *envVars)
	if err != nil {
		return err
	}
	// Whose X-Forwarded-For to believe; empty: nobody, the source IP is the
	// TCP peer. Checked before anything starts.
	trusted, err := localapi.ParseTrustedProxies(os.Getenv("TRUSTED_PROXIES"))
	if err != nil {
		return err
	}
	useLocalAWS()
	st, err := localrt.LoadStack(s.template)
	if err != nil {
		return err
	}
	api, ok := st.APIs[apiID]
	if !ok {
		return fmt.Errorf("%s has no AWS::Serverless::HttpApi %s", s.template, apiID)
	}
	// Take the API port first: failing after DynamoDB Local started would
	// leave the user waiting for nothing.
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port)))
	if err != nil {
		return fmt.Errorf("cannot listen on 127.0.0.1:%d (set PORT): %w", s.port, err)
	}
	defer ln.Close()

	fmt.Fprintf(stderr, "starting DynamoDB Local on 127.0.0.1:%d (data in %s)\n", s.ddbPort, filepath.Join(s.localDir, "ddb"))
	ddb, err := ddblocal.Start(ctx, ddblocal.Options{LocalDir: s.localDir, Port: s.ddbPort, DBPath: filepath.Join(s.localDir, "ddb")})
	if err != nil {
		return err
	}
	defer func() {
		if err := ddb.Stop(); err != nil {
			fmt.Fprintln(stderr, "stopping DynamoDB Local:", err)
		} else {
			fmt.Fprintln(stderr, "DynamoDB Local stopped")
		}
	}()
	if err := prepare(ctx, s, stderr); err != nil {
		return err
	}
	fmt.Fprintln(stderr, "starting the OpenID Connect provider (development only)")
	idp, idpSettings, err := startOIDC(ctx, s)
	if err != nil {
		return err
	}
	defer func() {
		if err := idp.Stop(); err != nil {
			fmt.Fprintln(stderr, "stopping the OpenID Connect provider:", err)
		} else {
			fmt.Fprintln(stderr, "OpenID Connect provider stopped")
		}
	}()
	s = s.withOIDC(idpSettings)
	fns, err := localfn.Build(ctx, st, s.envOptions())
	if err != nil {
		return err
	}
	issued, err := localrt.EnsureAdminToken(ctx, adminFunctions(fns), s.adminFile, time.Now())
	switch {
	case err != nil:
		// Serve anyway: the handlers may still be under construction, and
		// the API is useful to poke at.
		fmt.Fprintf(stderr, "WARNING: no bootstrap admin token: %v\n", err)
	case issued:
		fmt.Fprintf(stderr, "issued bootstrap admin token into %s (0600)\n", s.adminFile)
	default:
		fmt.Fprintf(stderr, "bootstrap admin token in %s is still active\n", s.adminFile)
	}

	srv, err := localapi.New(localapi.Config{
		API:            api,
		Functions:      fns,
		Log:            slog.New(token.Masking(slog.NewTextHandler(stderr, nil))),
		TrustedProxies: trusted,
	})
	if err != nil {
		return err
	}
	base := fmt.Sprintf("http://127.0.0.1:%d", s.port)
	fmt.Fprintf(stdout, "\nkeymint web console on %s/ (sign in as a development user, below)\n", base)
	fmt.Fprintf(stdout, "keymint API on %s\n", base)
	for _, r := range srv.Routes() {
		fmt.Fprintf(stdout, "  %s\n", r)
	}
	fmt.Fprintf(stdout, "\ntry:\n  curl -H \"Authorization: Bearer $(cat %s)\" %s/whoami\n\n", relOrAbs(s.adminFile), base)
	printOIDC(stdout, idpSettings, base)
	fmt.Fprint(stdout, "\nCtrl-C stops the API, DynamoDB Local and the OpenID Connect provider.\n\n")

	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	select {
	case <-ctx.Done():
		fmt.Fprintln(stderr, "\nshutting down")
	case err := <-served:
		return fmt.Errorf("API server: %w", err)
	case <-ddb.Done():
		err = errors.New("DynamoDB Local exited unexpectedly:\n" + ddb.Output())
	case <-idp.Done():
		err = errors.New("the OpenID Connect provider exited unexpectedly:\n" + idp.Output())
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if serr := hs.Shutdown(shutdownCtx); serr != nil {
		fmt.Fprintln(stderr, "API shutdown:", serr)
	}
	return err
}

// relOrAbs shortens path relative to the working directory for display.
func relOrAbs(path string) string {
	wd, err := os.Getwd()
	if err != nil {
		return path
	}
	if rel, err := filepath.Rel(wd, path); err == nil && filepath.IsLocal(rel) {
		return rel
	}
	return path
}

// adminFunctions picks the functions EnsureAdminToken invokes.
func adminFunctions(fns map[string]localrt.Target) localrt.AdminFunctions {
	return localrt.AdminFunctions{Validate: fns["ValidateFunction"], Issue: fns["IssueFunction"], Revoke: fns["RevokeFunction"]}
}
