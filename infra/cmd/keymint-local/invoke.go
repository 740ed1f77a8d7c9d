package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/keymint/keymint/internal/localrt"
)

// Placeholders in event files: the bootstrap admin token from
// $LOCAL_DIR/admin-token and its id (kmt_<id>_<secret>), so sample events
// work against `make run`'s data without holding a real token.
const (
	AdminTokenPlaceholder   = "{{ADMIN_TOKEN}}"
	AdminTokenIDPlaceholder = "{{ADMIN_TOKEN_ID}}"
)

func cmdInvoke(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("invoke", flag.ContinueOnError)
	fs.SetOutput(stderr)
	eventFile := fs.String("e", "", "event file (\"-\": stdin; none: {})")
	template := fs.String("template", "template.yaml", "SAM template")
	envVars := fs.String("env-vars", "", "`sam local --env-vars` style JSON overriding function variables (make: ENV_VARS)")
	set := fs.String("set", "", "space-separated NAME=value settings for every function that declares NAME (make: SET)")
	// The function id comes first, as in `sam local invoke <id> -e f`.
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fmt.Fprintln(stderr, "usage: keymint-local invoke <FunctionLogicalId> [-e event.json]")
		return exitError{2}
	}
	id := args[0]
	if err := fs.Parse(args[1:]); err != nil {
		return exitError{2}
	}
	s, err := loadSettings(*template)
	if err != nil {
		return err
	}
	st, err := localrt.LoadStack(s.template)
	if err != nil {
		return err
	}
	if s, err = s.withOverrides(st, *envVars, *set); err != nil {
		return err
	}
	s = s.withExamplePlans()
	if len(s.overrides) > 0 {
		printOverrides(stderr, s)
	}
	// The same OIDC settings as the running (or last) `make run`.
	if s, err = s.withSavedOIDC(); err != nil {
		return err
	}
	event, err := readEvent(*eventFile, s.adminFile)
	if err != nil {
		return err
	}
	fns, done, err := functionsOnData(ctx, s, st, stdout, stderr, id)
	if err != nil {
		return err
	}
	defer done()
	return writeInvokeResult(stdout, localrt.Invoke)(ctx, fns[id], event)
}

// writeInvokeResult prints the function's answer, or Lambda's error
// document and exit status 1.
func writeInvokeResult(w io.Writer, invoke func(context.Context, localrt.Target, []byte) ([]byte, error)) func(context.Context, localrt.Target, []byte) error {
	return func(ctx context.Context, t localrt.Target, event []byte) error {
		out, err := invoke(ctx, t, event)
		if err != nil {
			var fe *localrt.FunctionError
			if !errors.As(err, &fe) {
				fe = &localrt.FunctionError{Message: err.Error()}
			}
			b, _ := json.Marshal(fe)
			fmt.Fprintf(w, "%s\n", b)
			return exitError{1}
		}
		fmt.Fprintf(w, "%s\n", bytes.TrimRight(out, "\n"))
		return nil
	}
}

// ErrNoAdminToken means an event asks for the admin token but there is none.
var ErrNoAdminToken = errors.New("the event uses " + AdminTokenPlaceholder + " or " + AdminTokenIDPlaceholder + " but there is no admin token yet")

func readEvent(path, adminFile string) ([]byte, error) {
	var event []byte
	var err error
	switch path {
	case "":
		event = []byte("{}")
	case "-":
		event, err = io.ReadAll(os.Stdin)
	default:
		event, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, err
	}
	if bytes.Contains(event, []byte("{{ADMIN_TOKEN")) {
		raw, err := os.ReadFile(adminFile)
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%w: no %s; run `make run` or `make admin` once with LOCAL_DIR=%s to create it",
				ErrNoAdminToken, adminFile, filepath.Dir(adminFile))
		}
		if err != nil {
			return nil, err
		}
		tok := string(bytes.TrimSpace(raw))
		id := ""
		if parts := strings.Split(tok, "_"); len(parts) == 3 {
			id = parts[1]
		}
		event = bytes.ReplaceAll(event, []byte(AdminTokenIDPlaceholder), []byte(id))
		event = bytes.ReplaceAll(event, []byte(AdminTokenPlaceholder), []byte(tok))
	}
	if !json.Valid(event) {
		return nil, fmt.Errorf("event %s is not valid JSON", path)
	}
	return event, nil
}
