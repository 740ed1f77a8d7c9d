package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/keymint/keymint/internal/oidc"
)

// oidcSettings is $LOCAL_DIR/oidc.json: where the running stack's provider
// is, for `login`, `invoke` and whoever else wants to verify its tokens.
type oidcSettings struct {
	Issuer   string `json:"issuer"`
	Audience string `json:"audience"`
}

func oidcFile(localDir string) string { return filepath.Join(localDir, "oidc.json") }

// The admin claim and value the local stack tells the functions: root's
// group.
const (
	oidcAdminClaim = "groups"
	oidcAdminValue = oidc.AdminGroup
)

func readOIDCSettings(localDir string) (oidcSettings, error) {
	var o oidcSettings
	b, err := os.ReadFile(oidcFile(localDir))
	if err != nil {
		return o, err
	}
	if err := json.Unmarshal(b, &o); err != nil {
		return o, fmt.Errorf("%s: %w", oidcFile(localDir), err)
	}
	if o.Issuer == "" || o.Audience == "" {
		return o, fmt.Errorf("%s lacks the issuer or the audience", oidcFile(localDir))
	}
	return o, nil
}

func writeOIDCSettings(localDir string, o oidcSettings) error {
	b, err := json.MarshalIndent(o, "", "  ")
	if err != nil {
		return err
	}
	tmp := oidcFile(localDir) + ".tmp"
	if err := os.WriteFile(tmp, append(b, '\n'), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, oidcFile(localDir))
}

// withOIDC returns s with the provider's settings as "Parameters" overrides
// for every function. As in SAM they reach only functions whose template
// declares the variables, and an -env-vars file's own values win.
func (s settings) withOIDC(o oidcSettings) settings {
	out := make(map[string]map[string]string, len(s.envVars)+1)
	for scope, vars := range s.envVars {
		out[scope] = maps.Clone(vars)
	}
	params := map[string]string{
		"OIDC_ISSUER":      o.Issuer,
		"OIDC_AUDIENCE":    o.Audience,
		"OIDC_ADMIN_CLAIM": oidcAdminClaim,
		"OIDC_ADMIN_VALUE": oidcAdminValue,
	}
	maps.Copy(params, out["Parameters"])
	out["Parameters"] = params
	s.envVars = out
	return s
}

// withSavedOIDC applies $LOCAL_DIR/oidc.json when `make run` has written
// one.
func (s settings) withSavedOIDC() (settings, error) {
	o, err := readOIDCSettings(s.localDir)
	if errors.Is(err, os.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return s, err
	}
	return s.withOIDC(o), nil
}

// oidcPort is the previous run's provider port when it is free, so tokens
// (and a browser's session) keep working across restarts; otherwise 0, any
// free port.
func oidcPort(localDir string) int {
	o, err := readOIDCSettings(localDir)
	if err != nil {
		return 0
	}
	u, err := url.Parse(o.Issuer)
	if err != nil || u.Hostname() != "127.0.0.1" {
		return 0
	}
	port, err := strconv.Atoi(u.Port())
	if err != nil {
		return 0
	}
	l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", u.Port()))
	if err != nil {
		return 0
	}
	l.Close()
	return port
}

// startOIDC runs the development provider for the API on s.port and
// records where it is in $LOCAL_DIR/oidc.json.
func startOIDC(ctx context.Context, s settings) (*oidc.Provider, oidcSettings, error) {
	p, err := oidc.Start(ctx, oidc.Options{
		LocalDir: s.localDir,
		Port:     oidcPort(s.localDir),
		ClientID: oidc.DefaultClientID,
		// The console signs in from the API's origin.
		RedirectURIs: []string{
			fmt.Sprintf("http://127.0.0.1:%d/", s.port),
			fmt.Sprintf("http://localhost:%d/", s.port),
		},
	})
	if err != nil {
		return nil, oidcSettings{}, err
	}
	o := oidcSettings{Issuer: p.Issuer(), Audience: p.ClientID()}
	if err := writeOIDCSettings(s.localDir, o); err != nil {
		_ = p.Stop()
		return nil, o, err
	}
	return p, o, nil
}

func printOIDC(w io.Writer, o oidcSettings, apiBase, localDir string) {
	login := "make -s login USER=alice"
	// `make login` reads the provider's address from LOCAL_DIR: name it
	// when it is not make's default.
	if dir := relOrAbs(localDir); dir != ".local" {
		login += " LOCAL_DIR=" + dir
	}
	fmt.Fprintf(w, "OpenID Connect provider (development only) on %s, client %s\n", o.Issuer, o.Audience)
	var users []string
	for _, u := range oidc.DevUsers() {
		if len(u.Groups) > 0 {
			users = append(users, fmt.Sprintf("%s (%s)", u.Name, strings.Join(u.Groups, ", ")))
		} else {
			users = append(users, u.Name)
		}
	}
	fmt.Fprintf(w, "  users, password = user name: %s\n", strings.Join(users, ", "))
	fmt.Fprintf(w, "  an ID token: %s\n", login)
	fmt.Fprintf(w, "  curl -H \"Authorization: Bearer $(%s)\" %s/whoami\n", login, apiBase)
}

// cmdLogin signs a development user in at the running stack's provider and
// prints the ID token, and only it, on stdout.
func cmdLogin(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("login", flag.ContinueOnError)
	fs.SetOutput(stderr)
	password := fs.String("password", "", "the user's password (default: the user name)")
	// The user comes first, as in `login alice -password p`; flags first work too.
	var user string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		user, args = args[0], args[1:]
	}
	if err := fs.Parse(args); err != nil {
		return exitError{2}
	}
	if user == "" && fs.NArg() == 1 {
		user = fs.Arg(0)
	} else if fs.NArg() > 0 {
		user = ""
	}
	if user == "" {
		fmt.Fprintln(stderr, "usage: keymint-local login <user> [-password p]")
		return exitError{2}
	}
	if *password == "" {
		*password = user
	}
	s, err := loadSettings("template.yaml")
	if err != nil {
		return err
	}
	o, err := readOIDCSettings(s.localDir)
	if errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("no %s (LOCAL_DIR is %s): the OpenID Connect provider runs with the stack, which writes that file; "+
			"start `make run` with the same LOCAL_DIR first", oidcFile(s.localDir), s.localDir)
	}
	if err != nil {
		return err
	}
	tok, err := oidc.Login(ctx, o.Issuer, o.Audience, user, *password)
	if errors.Is(err, oidc.ErrUnreachable) {
		return fmt.Errorf("the OpenID Connect provider that %s names is not running (%w); start `make run` with LOCAL_DIR=%s first",
			oidcFile(s.localDir), err, s.localDir)
	}
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(stdout, tok)
	return err
}
