package manage_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/keymint/keymint/internal/localgw"
	"github.com/keymint/keymint/internal/testkit"
	"github.com/keymint/keymint/shared/app/managefn"
	"github.com/keymint/keymint/shared/audit"
	"github.com/keymint/keymint/shared/manage"
	"github.com/keymint/keymint/shared/store"
	"github.com/keymint/keymint/shared/usagekey"
)

// usagePlansEnv: free and team name usage plans of one REST API stage,
// basic names none.
var usagePlansEnv = testkit.Env{
	"PLANS_JSON": `{"plans": {
		"free":  {"scopes": ["orders:read"], "usagePlanId": "upfree"},
		"team":  {"scopes": ["orders:read", "orders:write"], "usagePlanId": "upteam"},
		"basic": {"scopes": ["orders:read"]}
	}}`,
	"DEFAULT_PLAN": "free",
}

// keysAdapter is usagekey.Keys behind manage's port, as the wiring
// (shared/app/usagekeyfn) puts it.
type keysAdapter struct{ k *usagekey.Keys }

func (a keysAdapter) Assign(ctx context.Context, owner string, cur manage.UsageKey, plan string) (manage.UsageKey, error) {
	k, err := a.k.Assign(ctx, owner, usagekey.Key(cur), plan)
	return manage.UsageKey(k), err
}

// keyRig is a rig whose Service moves owners' API keys on the emulated
// control plane, through the real SDK client.
func keyRig(t *testing.T, env testkit.Env) (*rig, *localgw.Server) {
	t.Helper()
	r := newRig(t, env)
	gw := localgw.New(map[string][]string{"upfree": {"orders/v1"}, "upteam": {"orders/v1"}}, nil)
	srv := httptest.NewServer(gw)
	t.Cleanup(srv.Close)
	api := apigateway.New(apigateway.Options{BaseEndpoint: aws.String(srv.URL), Region: "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("local", "local", "")})
	o := managefn.Options(r.a.App)
	o.UsageKeys = keysAdapter{usagekey.New(api, r.a.Table)}
	r.svc = manage.New(r.a.Store, r.a.Keyring, r.a.Catalogue, r.a.Clock, o)
	return r, gw
}

// An owner's first token gives it one API key in its plan's usage plan,
// carried by every token it has; a move between plans moves the key (the
// same value, so tokens need no new one); a plan without a usage plan
// takes the key out and off the tokens; moving back puts the same key in.
func TestOwnersKeysFollowTheirPlans(t *testing.T) {
	t.Parallel()
	r, gw := keyRig(t, usagePlansEnv)
	owner := func() (value, plan string) {
		o, err := r.a.Store.Owner(r.ctx, "acme")
		if err != nil {
			t.Fatal(err)
		}
		return o.UsageKey, o.UsagePlan
	}
	first := r.mint(ops, manage.IssueRequest{Owner: "acme", Name: "one", Scopes: []string{"orders:read"}})
	key, up := owner()
	if key == "" || up != "upfree" {
		t.Fatalf("after the first token: key %q in %q", key, up)
	}
	if got, ok := gw.PlanOf("orders", "v1", key); !ok || got != "upfree" {
		t.Fatalf("API Gateway has the key in %q %v", got, ok)
	}
	second := r.mint(ops, manage.IssueRequest{Owner: "acme", Name: "two", Scopes: []string{"orders:read"}})
	for _, id := range []string{first.Token.ID, second.Token.ID} {
		if got := r.record(id).UsageKey; got != key {
			t.Errorf("token %s carries %q, want the owner's %q", id, got, key)
		}
	}
	if n := len(gw.Keys()); n != 1 {
		t.Errorf("%d keys for one owner", n)
	}

	steps := []struct {
		plan, usagePlan string
		keyOnTokens     bool
	}{
		{"team", "upteam", true},
		{"basic", "", false},
		{"free", "upfree", true},
	}
	for _, s := range steps {
		res, err := r.svc.SetOwnerPolicy(r.ctx, ops, "acme", manage.OwnerPolicy{Plan: ptr(s.plan)}, deadline())
		if err != nil || !res.Complete {
			t.Fatalf("to %s: %+v %v", s.plan, res, err)
		}
		got, ok := gw.PlanOf("orders", "v1", key)
		if ok != (s.usagePlan != "") || got != s.usagePlan {
			t.Errorf("on %s API Gateway has the key in %q %v, want %q", s.plan, got, ok, s.usagePlan)
		}
		want := ""
		if s.keyOnTokens {
			want = key
		}
		if v, up := owner(); v != want || up != s.usagePlan {
			t.Errorf("on %s the owner holds %q in %q", s.plan, v, up)
		}
		for _, id := range []string{first.Token.ID, second.Token.ID} {
			if got := r.record(id).UsageKey; got != want {
				t.Errorf("on %s token %s carries %q, want %q", s.plan, id, got, want)
			}
		}
	}
	if n := len(gw.Keys()); n != 1 {
		t.Errorf("%d keys after three moves", n)
	}
	evs, _, err := r.a.Store.OwnerAudit(r.ctx, "acme", r.a.Clock.Now(), 50, "")
	if err != nil {
		t.Fatal(err)
	}
	moves := 0
	for _, e := range evs {
		if e.Action == audit.OwnerPolicy && e.Details["usagePlan"] != nil {
			moves++
		}
	}
	if moves != 4 { // the first token's, and three moves
		t.Errorf("%d usage plan moves audited, want 4", moves)
	}
}

// When API Gateway does not take the key (here: a plan names a usage plan
// it does not have), nothing changes: no token, no owner move, and the
// refusal is ErrUsagePlan (503 over HTTP), not a fault.
func TestUsagePlanRefusalChangesNothing(t *testing.T) {
	t.Parallel()
	r, gw := keyRig(t, testkit.Env{"PLANS_JSON": `{"plans": {
		"free": {"scopes": ["orders:read"], "usagePlanId": "upfree"},
		"gold": {"scopes": ["orders:read"], "usagePlanId": "nosuch"}
	}}`, "DEFAULT_PLAN": "free"})
	r.mint(ops, manage.IssueRequest{Owner: "acme", Name: "one", Scopes: []string{"orders:read"}})
	before := r.snapshot()
	_, err := r.svc.SetOwnerPolicy(r.ctx, ops, "acme", manage.OwnerPolicy{Plan: ptr("gold")}, deadline())
	if !errors.Is(err, manage.ErrUsagePlan) {
		t.Fatalf("move to a missing usage plan: %v", err)
	}
	r.unchangedSince(before, "a refused move")
	for value, plans := range gw.Keys() {
		if len(plans) != 1 || plans[0] != "upfree" {
			t.Errorf("key %s left in %v", value, plans)
		}
	}

	// A new owner of a plan whose usage plan is missing gets no token.
	r2, _ := keyRig(t, testkit.Env{"PLANS_JSON": `{"plans": {"gold": {"scopes": ["orders:read"], "usagePlanId": "nosuch"}}}`, "DEFAULT_PLAN": "gold"})
	before = r2.snapshot()
	if _, err := r2.svc.Issue(r2.ctx, ops, manage.IssueRequest{Owner: "acme", Name: "one", Scopes: []string{"orders:read"}}); !errors.Is(err, manage.ErrUsagePlan) {
		t.Fatalf("issue: %v", err)
	}
	r2.unchangedSince(before, "a refused issue")
}

// Setting a policy never enables an owner: with enablement required, an
// owner first seen by a PATCH is pending, and gets no token until an admin
// enables it (before, the PATCH wrote it active).
func TestPolicyDoesNotEnable(t *testing.T) {
	t.Parallel()
	r := newRig(t, testkit.Env{"TOKENS_REQUIRE_ENABLEMENT": "true", "PLANS_JSON": `{"plans": {"free": {"scopes": ["orders:read"]}, "team": {"scopes": ["orders:read"]}}}`, "DEFAULT_PLAN": "free"})
	if _, err := r.svc.SetOwnerPolicy(r.ctx, ops, "newco", manage.OwnerPolicy{Plan: ptr("team")}, deadline()); err != nil {
		t.Fatal(err)
	}
	o, err := r.a.Store.Owner(r.ctx, "newco")
	if err != nil || o.Status != store.OwnerPending || o.Plan != "team" {
		t.Fatalf("owner %+v %v, want pending on team", o, err)
	}
	if _, err := r.svc.Issue(r.ctx, ops, manage.IssueRequest{Owner: "newco", Name: "one", Scopes: []string{"orders:read"}}); !errors.Is(err, manage.ErrOwnerNotEnabled) {
		t.Errorf("issue for a pending owner: %v", err)
	}
}
