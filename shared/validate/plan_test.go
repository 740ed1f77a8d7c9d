package validate_test

import (
	"context"
	"testing"
	"time"

	"github.com/keymint/keymint/internal/testkit"
	"github.com/keymint/keymint/shared/app/validatefn"
	"github.com/keymint/keymint/shared/manage"
	"github.com/keymint/keymint/shared/validate"
)

// A token's scopes count only within its owner's plan: moving the owner to
// a smaller plan narrows its live tokens once the move is copied onto them
// and the decision cache has turned over (VALIDATE_CACHE_TTL), with no read
// beyond the token's; moving it back restores them. A plan no longer in
// the catalogue grants no API scope. Management scopes are not the plan's.
func TestPlanNarrowsScopes(t *testing.T) {
	t.Parallel()
	env := testkit.Env{
		"PLANS_JSON": `{"plans": {
			"free": {"scopes": ["orders:read"]},
			"pro":  {"scopes": ["orders:read", "orders:write"]}
		}}`,
		"DEFAULT_PLAN":       "pro",
		"VALIDATE_CACHE_TTL": "2s",
	}
	a := testkit.NewApp(t, env)
	svc := a.Service()
	ctx := context.Background()
	ops := manage.Caller{Ops: true}
	iss, err := svc.Issue(ctx, ops, manage.IssueRequest{Owner: "acme", Name: "w", Scopes: []string{"orders:read", "orders:write", "tokens:read"}})
	if err != nil {
		t.Fatal(err)
	}
	v := validate.NewValidator(a.Store, a.Keyring, a.Catalogue, a.Clock, validatefn.Options(a.App), a.Log)
	check := func(method, path string) validate.Status {
		t.Helper()
		d, err := v.Check(ctx, validate.Request{Token: iss.Plaintext, Method: method, Path: path})
		if err != nil {
			t.Fatal(err)
		}
		return d.Status
	}
	type want struct{ write, read, manage validate.Status }
	expect := func(when string, w want) {
		t.Helper()
		got := want{check("POST", "/orders"), check("GET", "/orders"), check("GET", "/tokens")}
		if got != w {
			t.Errorf("%s: POST /orders %s, GET /orders %s, GET /tokens %s; want %s, %s, %s", when, got.write, got.read, got.manage, w.write, w.read, w.manage)
		}
	}
	move := func(plan string) {
		t.Helper()
		if _, err := svc.SetOwnerPolicy(ctx, ops, "acme", manage.OwnerPolicy{Plan: &plan}, time.Now().Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	// An allow names the plan in its context, for the backend.
	if ok, got := ordersAnswer(t, validatefn.Lambda(a.App), iss.Plaintext); !ok || got["plan"] != "pro" {
		t.Fatalf("the authorizer's answer on pro: allowed %v, context %v", ok, got)
	}
	allowed := want{validate.Valid, validate.Valid, validate.Valid}
	narrowed := want{validate.ScopeDenied, validate.Valid, validate.Valid}
	expect("on pro", allowed)
	move("free")
	// Within the cache's bound the cached decision may still stand.
	expect("moved to free, the decision cached", allowed)
	a.Clock.Advance(2 * time.Second)
	expect("moved to free, past the cache's TTL", narrowed)
	move("pro")
	a.Clock.Advance(2 * time.Second)
	expect("back on pro", allowed)

	// A validator whose catalogue no longer offers the token's plan
	// grants it no API scope.
	b := testkit.NewApp(t, testkit.Env{"PLANS_JSON": `{"plans": {"basic": {"scopes": ["orders:read"]}}}`, "DEFAULT_PLAN": "basic"})
	move("free")
	gone := validate.NewValidator(a.Store, a.Keyring, a.Catalogue, a.Clock, validatefn.Options(b.App), a.Log)
	for _, c := range []struct {
		method, path string
		want         validate.Status
	}{{"GET", "/orders", validate.ScopeDenied}, {"GET", "/tokens", validate.Valid}} {
		d, err := gone.Check(ctx, validate.Request{Token: iss.Plaintext, Method: c.method, Path: c.path})
		if err != nil || d.Status != c.want {
			t.Errorf("plan gone from the catalogue: %s %s is %s (%v), want %s", c.method, c.path, d.Status, err, c.want)
		}
	}
}
