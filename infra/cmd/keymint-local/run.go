package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"github.com/keymint/keymint/internal/ddblocal"
	"github.com/keymint/keymint/internal/localapi"
	"github.com/keymint/keymint/internal/localfn"
	"github.com/keymint/keymint/internal/localrt"
	"github.com/keymint/keymint/internal/stack"
	"github.com/keymint/keymint/shared/token"
)

func cmdRun(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	template := fs.String("template", "template.yaml", "SAM template")
	envVars := fs.String("env-vars", "", "`sam local --env-vars` style JSON overriding function variables (make: ENV_VARS)")
	set := fs.String("set", "", "space-separated NAME=value settings for every function that declares NAME (make: SET)")
	if err := fs.Parse(args); err != nil {
		return exitError{2}
	}
	s, err := loadSettings(*template)
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
	if s, err = s.withOverrides(st, *envVars, *set); err != nil {
		return err
	}
	s = s.withExamplePlans()
	// Take the API ports first: failing after DynamoDB Local started would
	// leave the user waiting for nothing.
	apis, err := listenAPIs(st, s)
	if err != nil {
		return err
	}
	defer func() {
		for _, a := range apis {
			a.ln.Close()
		}
	}()

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
	gw, gatewayURL, stopGateway, err := startGateway(st, s)
	if err != nil {
		return err
	}
	// Deferred before the functions' Close, so it stops after them.
	defer stopGateway()
	s.gatewayURL = gatewayURL
	fns, err := localfn.Build(ctx, st, s.envOptions())
	if err != nil {
		return err
	}
	// Deferred after the API servers' shutdown below, before DynamoDB Local
	// and the provider stop: extensions may still be writing.
	defer func() {
		if err := fns.Close(); err != nil {
			fmt.Fprintln(stderr, "closing the functions' environments:", err)
		}
	}()
	printExtensions(stderr, fns)
	issued, err := localrt.EnsureAdminToken(ctx, adminFunctions(fns), s.adminFile, time.Now())
	switch {
	case err != nil:
		// Serve anyway: the handlers may still be under construction, and
		// the API is useful to poke at.
		fmt.Fprintf(stderr, "WARNING: no bootstrap admin token in %s: %v\n", s.adminFile, err)
	case issued:
		fmt.Fprintf(stderr, "issued bootstrap admin token into %s (0600)\n", s.adminFile)
	default:
		fmt.Fprintf(stderr, "bootstrap admin token in %s is still active\n", s.adminFile)
	}

	log := slog.New(token.Masking(slog.NewTextHandler(stderr, nil)))
	for i := range apis {
		a := &apis[i]
		if a.rest {
			a.srv, err = localapi.NewRest(localapi.RestConfig{API: st.RestAPIs[a.id], Functions: fns, Plans: st.UsagePlans, UsagePlans: gw,
				Log: log, TrustedProxies: trusted})
		} else {
			a.srv, err = localapi.New(localapi.Config{API: st.APIs[a.id], Functions: fns, Log: log, TrustedProxies: trusted})
		}
		if err != nil {
			return err
		}
	}
	if s.examplePlans {
		if err := seedExamplePlans(ctx, s, apis); err != nil {
			fmt.Fprintf(stderr, "WARNING: development owners not put on their example plans: %v\n", err)
		}
	}
	printBanner(stdout, s, apis, idpSettings)

	served := make(chan error, len(apis))
	var servers []*http.Server
	for _, a := range apis {
		hs := &http.Server{Handler: a.srv, ReadHeaderTimeout: 10 * time.Second}
		servers = append(servers, hs)
		go func() { served <- hs.Serve(a.ln) }()
	}
	select {
	case <-ctx.Done():
		fmt.Fprintln(stderr, "\nshutting down")
	case err = <-served:
		err = fmt.Errorf("API server: %w", err)
	case <-ddb.Done():
		err = errors.New("DynamoDB Local exited unexpectedly:\n" + ddb.Output())
	case <-idp.Done():
		err = errors.New("the OpenID Connect provider exited unexpectedly:\n" + idp.Output())
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, hs := range servers {
		if serr := hs.Shutdown(shutdownCtx); serr != nil {
			fmt.Fprintln(stderr, "API shutdown:", serr)
		}
	}
	return err
}

// servedAPI is one API of the template on its own port, as API Gateway
// gives each API its own hostname: an HttpApi, or the stage of a REST API.
type servedAPI struct {
	id      string // logical id
	rest    bool   // an AWS::Serverless::Api, served by a localapi.RestServer
	portVar string // the environment variable that sets its port
	port    int
	what    string // how the banner names it
	ln      net.Listener
	srv     apiServer
}

// apiServer is a localapi.Server or RestServer.
type apiServer interface {
	http.Handler
	Routes() []string
}

func (a servedAPI) base() string { return fmt.Sprintf("http://127.0.0.1:%d", a.port) }

// url is where the API's routes begin: a REST API's below its stage.
func (a servedAPI) url() string {
	if rs, ok := a.srv.(*localapi.RestServer); ok {
		return a.base() + rs.Stage()
	}
	return a.base()
}

// listenAPIs takes the port of every API the template has (with the local
// parameters): keymint's management API on PORT, the example orders API on
// EXAMPLE_PORT, and its REST twin with usage plans, when the template
// deploys it, on EXAMPLE_REST_PORT.
func listenAPIs(st *stack.Stack, s settings) ([]servedAPI, error) {
	apis := []servedAPI{
		{id: "KeymintApi", portVar: "PORT", port: s.port, what: "keymint API"},
		{id: "ExampleApi", portVar: "EXAMPLE_PORT", port: s.examplePort, what: "example orders API, protected by keymint,"},
	}
	known := map[string]bool{}
	for _, a := range apis {
		known[a.id] = true
		if st.APIs[a.id] == nil {
			return nil, fmt.Errorf("%s has no AWS::Serverless::HttpApi %s", s.template, a.id)
		}
	}
	for _, id := range slices.Sorted(maps.Keys(st.APIs)) {
		if !known[id] {
			return nil, fmt.Errorf("%s has an HttpApi %s that the local stack has no port for", s.template, id)
		}
	}
	const restID = "ExampleRestApi"
	if st.RestAPIs[restID] != nil {
		apis = append(apis, servedAPI{id: restID, rest: true, portVar: "EXAMPLE_REST_PORT", port: s.exampleRestPort,
			what: "example orders REST API with usage plans, protected by keymint,"})
	}
	for _, id := range slices.Sorted(maps.Keys(st.RestAPIs)) {
		if id != restID {
			return nil, fmt.Errorf("%s has an Api %s that the local stack has no port for", s.template, id)
		}
	}
	for i, a := range apis {
		for _, b := range apis[:i] {
			if a.port == b.port {
				return nil, fmt.Errorf("%s and %s are both %d: each API needs its own port", b.portVar, a.portVar, a.port)
			}
		}
	}
	for i := range apis {
		ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(apis[i].port)))
		if err != nil {
			for _, a := range apis[:i] {
				a.ln.Close()
			}
			return nil, fmt.Errorf("cannot listen on 127.0.0.1:%d for the %s (set %s): %w", apis[i].port, apis[i].id, apis[i].portVar, err)
		}
		apis[i].ln = ln
	}
	return apis, nil
}

// printBanner tells what runs where and how to try it.
func printBanner(w io.Writer, s settings, apis []servedAPI, idp oidcSettings) {
	keymint, example := apis[0], apis[1]
	// Absolute: right in any shell, whatever LOCAL_DIR and make's directory.
	admin := s.adminFile
	fmt.Fprintln(w)
	printOverrides(w, s)
	fmt.Fprintf(w, "keymint web console on %s/ (sign in as a development user, below)\n", keymint.base())
	for _, a := range apis {
		fmt.Fprintf(w, "%s on %s\n", a.what, a.url())
		for _, r := range a.srv.Routes() {
			fmt.Fprintf(w, "  %s\n", r)
		}
	}
	fmt.Fprintf(w, "\n%s\n", s.plansLine())
	fmt.Fprintf(w, "\nadmin token (tokens:admin tokens:read tokens:write) in %s\n", s.adminFile)
	fmt.Fprintf(w, "try:\n  curl -H \"Authorization: Bearer $(cat %s)\" %s/whoami\n", admin, keymint.base())
	fmt.Fprintf(w, "  # a token for the example API (scope orders:read), shown once:\n")
	fmt.Fprintf(w, "  curl -s -X POST -H \"Authorization: Bearer $(cat %s)\" -H 'Content-Type: application/json' -d '{\"name\":\"orders-reader\",\"scopes\":[\"orders:read\"]}' %s/tokens\n", admin, keymint.base())
	fmt.Fprintf(w, "  curl -H \"Authorization: Bearer <that token>\" %s/orders/42\n\n", example.base())
	printOIDC(w, idp, keymint.base(), s.localDir)
	fmt.Fprint(w, "\nCtrl-C stops the APIs, DynamoDB Local and the OpenID Connect provider.\n\n")
}

// printOverrides lists the user's setting overrides in effect.
func printOverrides(w io.Writer, s settings) {
	if len(s.overrides) == 0 {
		fmt.Fprintln(w, "settings: the template's defaults (change them with make run SET='NAME=value ...' or ENV_VARS=file.json)")
		return
	}
	fmt.Fprintln(w, "settings overridden (ENV_VARS, SET):")
	for _, o := range s.overrides {
		fmt.Fprintf(w, "  %s\n", o)
	}
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

// printExtensions tells which functions registered Lambda extensions
// during their init, and where their Extensions API listens.
func printExtensions(w io.Writer, fns localfn.Functions) {
	for _, id := range slices.Sorted(maps.Keys(fns)) {
		env := fns[id].Env
		if env == nil {
			continue
		}
		for _, e := range env.Extensions() {
			fmt.Fprintf(w, "%s: extension %s registered for %v (Extensions API on %s)\n", id, e.Name, e.Events, env.Addr())
		}
	}
}

// adminFunctions picks the functions EnsureAdminToken invokes.
func adminFunctions(fns map[string]localrt.Target) localrt.AdminFunctions {
	return localrt.AdminFunctions{Validate: fns["ValidateFunction"], Issue: fns["IssueFunction"], Revoke: fns["RevokeFunction"]}
}
