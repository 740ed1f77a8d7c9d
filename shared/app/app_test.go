package app_test

import (
	"errors"
	"io"
	"log/slog"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/keymint/keymint/shared/app"
	"github.com/keymint/keymint/shared/clock"
	"github.com/keymint/keymint/shared/config"
	"github.com/keymint/keymint/shared/keyring"
	"github.com/keymint/keymint/shared/policy"
)

// A deployment picks its scope catalogue: SCOPES_JSON (the template's
// ScopeCatalogue parameter), SCOPES_FILE, or the one shipped.
func TestScopeCatalogueChoice(t *testing.T) {
	t.Parallel()
	custom := `{"scopes":{"orders:ship":{"description":"ship orders","routes":["POST /orders/*/ship"]}}}`
	cases := []struct {
		name  string
		env   map[string]string
		known string
		err   error
	}{
		{"shipped", nil, "tokens:read", nil},
		{"inline JSON", map[string]string{"SCOPES_JSON": custom}, "orders:ship", nil},
		{"file", map[string]string{"SCOPES_FILE": "../policy/scopes.json"}, "orders:read", nil},
		{"bad inline JSON", map[string]string{"SCOPES_JSON": `{"scopes":{}}`}, "", policy.ErrInvalidCatalogue},
		{"both", map[string]string{"SCOPES_JSON": custom, "SCOPES_FILE": "x.json"}, "", config.ErrInvalid},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			env := map[string]string{"TABLE_NAME": "t"}
			for k, v := range c.env {
				env[k] = v
			}
			cfg, err := config.FromEnv(func(k string) string { return env[k] })
			if err == nil {
				_, err = assemble(cfg, c.known)
			}
			if !errors.Is(err, c.err) {
				t.Fatalf("err = %v, want %v", err, c.err)
			}
		})
	}
}

// assemble builds the App and checks its catalogue knows scope ("" skips).
func assemble(cfg config.Config, scope string) (*app.App, error) {
	a, err := app.Assemble(cfg, aws.Config{}, nil, keyring.StaticSource(nil), clock.System{}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		return nil, err
	}
	if scope != "" && !a.Catalogue.Known(scope) {
		return nil, errors.New("catalogue lacks " + scope)
	}
	return a, nil
}
