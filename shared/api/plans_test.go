package api_test

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/keymint/keymint/internal/testkit"
	"github.com/keymint/keymint/shared/api"
)

var twoPlans = testkit.Env{
	"PLANS_JSON": `{"plans": {
		"free": {"description": "Read orders.", "scopes": ["orders:read"], "maxLifetimeDays": 30, "quota": {"requests": 1000, "period": "month"}},
		"pro":  {"description": "Orders.", "scopes": ["orders:read", "orders:write"]}
	}}`,
	"DEFAULT_PLAN": "free",
}

// Plans over HTTP: every caller reads them; a person is offered and may
// grant their plan's API scopes and no others; an admin moves an owner,
// which widens what its person may grant at once; bad moves are 400s.
func TestPlansOverHTTP(t *testing.T) {
	t.Parallel()
	s := newSignedIn(t, twoPlans)
	root, alice := s.person("root", true), s.person("alice", false)

	var plans api.PlansView
	s.view200(s.call("GET", "/plans", alice, nil)).decode(t, &plans)
	if plans.Default != "free" || len(plans.Items) != 2 || plans.Items[0].Name != "free" || plans.Items[0].MaxLifetimeDays != 30 ||
		!slices.Equal(plans.Items[1].Scopes, []string{"orders:read", "orders:write"}) || plans.Items[1].AllScopes {
		t.Fatalf("GET /plans: %+v", plans)
	}
	whoami := func(who string) api.WhoamiView {
		t.Helper()
		var w api.WhoamiView
		s.view200(s.call("GET", "/whoami", who, nil)).decode(t, &w)
		return w
	}
	if w := whoami(alice); w.Plan != "free" || !slices.Equal(w.Scopes, []string{"orders:read", "tokens:read", "tokens:write"}) {
		t.Fatalf("alice on free: plan %q, scopes %v", w.Plan, w.Scopes)
	}
	s.issue(alice, map[string]any{"name": "reader", "scopes": scopes("orders:read")})
	if r := s.call("POST", "/tokens", alice, map[string]any{"name": "writer", "scopes": scopes("orders:write")}); r.status != http.StatusForbidden {
		t.Fatalf("alice grants orders:write on free: %d %s", r.status, r.body)
	}

	for _, c := range []struct {
		name  string
		body  map[string]any
		field string
	}{
		{"a plan that does not exist", map[string]any{"plan": "gold"}, "plan"},
		{"nothing", map[string]any{}, "singleToken"},
	} {
		r := s.call("PATCH", "/owners/alice", root, c.body)
		p := r.problem(t)
		if r.status != http.StatusBadRequest || len(p.Errors) != 1 || p.Errors[0].Field != c.field {
			t.Errorf("%s: %d %s", c.name, r.status, r.body)
		}
	}
	var before api.OwnerView
	s.view200(s.call("GET", "/owners/alice", root, nil)).decode(t, &before)
	now := s.Clock.Now().UTC()
	if q := before.Quota; q == nil || q.Requests != 1000 || q.Period != "month" || q.Current != now.Format("2006-01") || q.Used != 0 ||
		!q.ResetsAt.Equal(time.Date(now.Year(), now.Month()+1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("alice's quota on free: %+v", before.Quota)
	}
	if plans.Items[0].Quota == nil || plans.Items[0].Quota.Requests != 1000 {
		t.Errorf("GET /plans: free's quota %+v", plans.Items[0].Quota)
	}
	var moved api.OwnerView
	s.view200(s.call("PATCH", "/owners/alice", root, map[string]any{"plan": "pro"})).decode(t, &moved)
	if moved.Plan != "pro" || moved.Owner != "alice" || moved.Quota != nil {
		t.Fatalf("moved: %+v", moved)
	}
	if w := whoami(alice); w.Plan != "pro" || !slices.Contains(w.Scopes, "orders:write") {
		t.Fatalf("alice on pro: plan %q, scopes %v", w.Plan, w.Scopes)
	}
	writer := s.issue(alice, map[string]any{"name": "writer", "scopes": scopes("orders:write")})
	if len(writer.ScopesOutsidePlan) != 0 {
		t.Errorf("on pro, outside the plan: %v", writer.ScopesOutsidePlan)
	}
	// Back on free, the token keeps orders:write, and says it opens nothing.
	s.view200(s.call("PATCH", "/owners/alice", root, map[string]any{"plan": "free"}))
	var back api.TokenView
	s.view200(s.call("GET", "/tokens/"+writer.ID, alice, nil)).decode(t, &back)
	if !slices.Equal(back.Scopes, []string{"orders:write"}) || !slices.Equal(back.ScopesOutsidePlan, []string{"orders:write"}) {
		t.Errorf("on free: scopes %v, outside the plan %v", back.Scopes, back.ScopesOutsidePlan)
	}
	s.view200(s.call("PATCH", "/owners/alice", root, map[string]any{"plan": "pro"}))
	var owners api.ListView[api.OwnerView]
	s.view200(s.call("GET", "/owners", root, nil)).decode(t, &owners)
	for _, o := range owners.Items {
		if want := map[string]string{"alice": "pro"}[o.Owner]; o.Plan != want && !(want == "" && o.Plan == "free") {
			t.Errorf("GET /owners: %s on %q", o.Owner, o.Plan)
		}
	}
}

// Without plans there is one, unlimited, and persons grant what they did
// before plans: their own scopes.
func TestNoPlans(t *testing.T) {
	t.Parallel()
	s := newSignedIn(t, nil)
	alice := s.person("alice", false)
	var plans api.PlansView
	s.view200(s.call("GET", "/plans", alice, nil)).decode(t, &plans)
	if plans.Default != "unlimited" || len(plans.Items) != 1 || !plans.Items[0].AllScopes || len(plans.Items[0].Scopes) != 0 {
		t.Fatalf("GET /plans without plans: %+v", plans)
	}
	if r := s.call("POST", "/tokens", alice, map[string]any{"name": "w", "scopes": scopes("orders:read")}); r.status != http.StatusForbidden {
		t.Fatalf("a person grants an API scope without plans: %d", r.status)
	}
}
