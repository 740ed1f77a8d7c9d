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
	"github.com/keymint/keymint/shared/plan"
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

// A deployment's plans: PLANS_JSON (the template's Plans parameter),
// PLANS_FILE (the shipped example among them), or none; the catalogue is
// checked against the deployment's scopes at start.
func TestPlanCatalogueChoice(t *testing.T) {
	t.Parallel()
	inline := `{"plans": {"basic": {"scopes": ["orders:read"]}}}`
	cases := []struct {
		name    string
		env     map[string]string
		plans   int
		def     string
		wantErr error
	}{
		{"none", nil, 1, plan.Unlimited, nil},
		{"inline JSON", map[string]string{"PLANS_JSON": inline, "DEFAULT_PLAN": "basic"}, 1, "basic", nil},
		{"the example file", map[string]string{"PLANS_FILE": "../../infra/plans.example.json", "DEFAULT_PLAN": "free"}, 2, "free", nil},
		{"both", map[string]string{"PLANS_JSON": inline, "PLANS_FILE": "x.json"}, 0, "", config.ErrInvalid},
		{"a default that is no plan", map[string]string{"PLANS_JSON": inline, "DEFAULT_PLAN": "gold"}, 0, "", plan.ErrInvalid},
		{"a default without plans", map[string]string{"DEFAULT_PLAN": "gold"}, 0, "", plan.ErrInvalid},
		{"a scope the deployment does not have", map[string]string{"PLANS_JSON": `{"plans": {"basic": {"scopes": ["orders:ship"]}}}`, "DEFAULT_PLAN": "basic"}, 0, "", plan.ErrInvalid},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			env := map[string]string{"TABLE_NAME": "t"}
			for k, v := range c.env {
				env[k] = v
			}
			cfg, err := config.FromEnv(func(k string) string { return env[k] })
			var a *app.App
			if err == nil {
				a, err = assemble(cfg, "")
			}
			if !errors.Is(err, c.wantErr) || (err == nil) != (c.wantErr == nil) {
				t.Fatalf("err = %v, want %v", err, c.wantErr)
			}
			if err == nil && (len(a.Plans.List()) != c.plans || a.Plans.Default() != c.def) {
				t.Errorf("%d plans, default %q; want %d, %q", len(a.Plans.List()), a.Plans.Default(), c.plans, c.def)
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
