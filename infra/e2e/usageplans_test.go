package e2e_test

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/keymint/keymint/internal/localrt"
	"github.com/keymint/keymint/internal/testkit"
)

// The REST shape, as AWS enforces a customer's plan (issue 20): with the
// example plans, each owner's first token puts an API key of its own in
// its plan's usage plan, the authorizer names it as usageIdentifierKey,
// and the example REST API (API key source AUTHORIZER) throttles each
// customer by its own bucket: acme on free (burst 4) gets 429 after four
// requests in one instant while big, on team, is still served; time
// refills acme's bucket. A token whose owner has no key is refused 403.
func TestRESTUsagePlansThrottleEachCustomer(t *testing.T) {
	t.Parallel()
	root, err := testkit.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	s := newLocalStack(t, stackOptions{env: map[string]string{"PLANS_FILE": filepath.Join(root, "infra/plans.example.json"), "DEFAULT_PLAN": "free"}})
	if r := s.do("PATCH", "/owners/big", s.admin, map[string]any{"plan": "team"}, nil); r.status != 200 {
		t.Fatalf("move big to team: %d %s", r.status, r.body)
	}
	acme := s.opsIssue(map[string]any{"owner": "acme", "name": "reader", "scopes": []string{"orders:read"}})["token"].(string)
	big := s.opsIssue(map[string]any{"owner": "big", "name": "reader", "scopes": []string{"orders:read"}})["token"].(string)
	// One key per owner: admin's (the stack's root token), acme's, big's.
	if keys := s.gw.Keys(); len(keys) != 3 {
		t.Fatalf("API keys %v, want one per owner", keys)
	}

	// Admins see which key and usage plan, never the key's value.
	r := s.do("GET", "/owners/acme", s.admin, nil, nil)
	view := r.json(t)
	uk, _ := view["usageKey"].(map[string]any)
	if r.status != 200 || uk["id"] == "" || uk["usagePlanId"] != "examplefreeusageplan" {
		t.Errorf("GET /owners/acme: %d %s", r.status, r.body)
	}
	for value := range s.gw.Keys() {
		if strings.Contains(string(r.body), value) {
			t.Errorf("GET /owners/acme shows an API key's value: %s", r.body)
		}
	}

	now := time.Now()
	s.restNow.Store(&now)
	var got []int
	for range 6 {
		got = append(got, s.doAt(s.rest, "GET", "/orders/42", acme, nil, nil).status)
	}
	want := []int{200, 200, 200, 200, 429, 429}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("acme's six requests in one instant: %v, want %v", got, want)
		}
	}
	if r := s.doAt(s.rest, "GET", "/orders/42", acme, nil, nil); string(r.body) != `{"message":"Too Many Requests"}` {
		t.Errorf("throttled body %s", r.body)
	}
	if r := s.doAt(s.rest, "GET", "/orders/42", big, nil, nil); r.status != 200 {
		t.Errorf("big, on its own bucket, got %d %s", r.status, r.body)
	}
	later := now.Add(time.Second) // free refills 2 a second
	s.restNow.Store(&later)
	for i := range 2 {
		if r := s.doAt(s.rest, "GET", "/orders/42", acme, nil, nil); r.status != 200 {
			t.Errorf("a second later, request %d: %d %s", i, r.status, r.body)
		}
	}
	if r := s.doAt(s.rest, "GET", "/orders/42", acme, nil, nil); r.status != 429 {
		t.Errorf("past the refill: %d", r.status)
	}
	// The authorizer still decides: a scope the token lacks is refused
	// before any usage plan counts it.
	if r := s.doAt(s.rest, "POST", "/orders", big, map[string]any{"item": "x"}, nil); r.status != 403 {
		t.Errorf("POST /orders with orders:read: %d %s", r.status, r.body)
	}

	// Without plans there are no keys: the REST API, which requires one,
	// refuses even an allowed token (403), as API Gateway does.
	plain := newLocalStack(t, stackOptions{})
	tok := plain.opsIssue(map[string]any{"owner": "acme", "name": "reader", "scopes": []string{"orders:read"}})["token"].(string)
	if r := plain.doAt(plain.rest, "GET", "/orders/42", tok, nil, nil); r.status != 403 || string(r.body) != `{"message":"Forbidden"}` {
		t.Errorf("no API key: %d %s", r.status, r.body)
	}
}

// The HTTP shape, which has no usage plans: the authorizer counts an
// owner's requests against its plan's quota and refuses past it with
// quota_exceeded, a 403 as API Gateway answers an authorizer's denial.
// With LAST_USED_INTERVAL=0 every use is written after its answer: three
// requests pass, the next is refused and so is every one after it,
// keymint's own management API stays open, and the owner's view shows the
// use. A counter write that runs past the post-response budget (a loaded
// machine) is dropped, not counted twice (docs/configuration.md, Plans):
// then the refusal comes that many requests later, and the counter never
// holds more than what was served.
func TestHTTPQuotaRefusesPastThePlan(t *testing.T) {
	t.Parallel()
	s := newLocalStack(t, stackOptions{env: map[string]string{
		"PLANS_JSON":         `{"plans": {"metered": {"scopes": ["orders:read"], "quota": {"requests": 3, "period": "day"}}}}`,
		"DEFAULT_PLAN":       "metered",
		"LAST_USED_INTERVAL": "0",
	}})
	tok := s.opsIssue(map[string]any{"owner": "acme", "name": "reader", "scopes": []string{"orders:read", "tokens:read"}})["token"].(string)
	// Lambda gives an environment its next invocation once the last one's
	// post-response phase is over; the local stack's one environment takes
	// requests at once (as many environments would), so the test waits.
	validate := s.fns["ValidateFunction"]
	var got []int
	served := 0
	for range 8 {
		status := s.doAt(s.example, "GET", "/orders/42", tok, nil, nil).status
		got = append(got, status)
		if status == 200 {
			served++
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		if err := validate.Settled(ctx); err != nil {
			t.Fatal(err)
		}
		cancel()
	}
	first := slices.Index(got, 403)
	if first < 3 || slices.ContainsFunc(got[first:], func(c int) bool { return c != 403 }) || slices.ContainsFunc(got[:first], func(c int) bool { return c != 200 }) {
		t.Fatalf("eight requests against a quota of three: %v, want 200s then only 403s from the fourth or later", got)
	}
	if first > 3 {
		t.Logf("refused from request %d: %d counter writes ran past the budget (see the log)", first+1, first-3)
	}
	if r := s.do("GET", "/whoami", tok, nil, nil); r.status != 200 {
		t.Errorf("the management API past the quota: %d %s", r.status, r.body)
	}
	view := s.do("GET", "/owners/acme", s.admin, nil, nil).json(t)
	q, _ := view["quota"].(map[string]any)
	if used, _ := q["used"].(float64); used < 3 || used > float64(served) || q["requests"] != float64(3) {
		t.Errorf("owner's quota view %v, want at least 3 of 3 used and no more than the %d served", view["quota"], served)
	}
	// Why: the direct invoke says it.
	out, err := localrt.Invoke(context.Background(), validate, []byte(`{"token":"`+tok+`","route":"GET /orders/42"}`))
	if err != nil || !strings.Contains(string(out), `"reason":"quota_exceeded"`) {
		t.Errorf("direct invoke: %s %v, want quota_exceeded", out, err)
	}
}
