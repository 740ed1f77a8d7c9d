package manage_test

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/keymint/keymint/internal/testkit"
	"github.com/keymint/keymint/shared/audit"
	"github.com/keymint/keymint/shared/manage"
	"github.com/keymint/keymint/shared/plan"
)

// plansEnv is a deployment with two plans: free (orders:read, tokens of at
// most 7 days) for every owner, and pro (the example API's scopes).
var plansEnv = testkit.Env{
	"PLANS_JSON": `{"plans": {
		"free": {"description": "Read orders.", "scopes": ["orders:read"], "maxLifetimeDays": 7},
		"pro":  {"description": "Everything.", "scopes": ["orders:read", "orders:write", "reports:read"]}
	}}`,
	"DEFAULT_PLAN": "free",
}

// A new token's scopes stay within its owner's plan, whoever issues or
// copies it (admins included), and a refusal writes nothing. A signed-in
// person may grant their plan's API scopes, which no person could before
// plans.
func TestNewTokensStayWithinThePlan(t *testing.T) {
	t.Parallel()
	r := newRig(t, plansEnv)
	proTok := r.mint(ops, manage.IssueRequest{Owner: "big", Name: "seed", Scopes: []string{"tokens:read"}})
	if _, err := r.svc.SetOwnerPolicy(r.ctx, ops, "big", manage.OwnerPolicy{Plan: ptr("pro")}, deadline()); err != nil {
		t.Fatal(err)
	}
	writer := r.mint(ops, manage.IssueRequest{Owner: "big", Name: "writer", Scopes: []string{"orders:write", "tokens:write"}})
	r.mint(person("dave"), manage.IssueRequest{Name: "first", Scopes: []string{"tokens:read"}})
	if _, err := r.svc.SetOwnerPolicy(r.ctx, ops, "dave", manage.OwnerPolicy{Plan: ptr("pro")}, deadline()); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		caller manage.Caller
		req    manage.IssueRequest
		want   error
	}{
		{"ops, a scope of the owner's plan", ops, manage.IssueRequest{Owner: "acme", Name: "r", Scopes: []string{"orders:read"}}, nil},
		{"ops, a scope beyond the owner's plan", ops, manage.IssueRequest{Owner: "acme", Name: "w", Scopes: []string{"orders:write"}}, manage.ErrForbidden},
		{"ops, a bundle reaching beyond it", ops, manage.IssueRequest{Owner: "acme", Name: "b", Scopes: []string{"orders:read", "reports:read"}}, manage.ErrForbidden},
		{"ops, management scopes only", ops, manage.IssueRequest{Owner: "acme", Name: "m", Scopes: []string{"tokens:admin"}}, nil},
		{"a person, their plan's scope", person("carol"), manage.IssueRequest{Name: "p", Scopes: []string{"orders:read", "tokens:read"}}, nil},
		{"a person, beyond their plan", person("carol"), manage.IssueRequest{Name: "q", Scopes: []string{"orders:write"}}, manage.ErrForbidden},
		{"a person on pro, a pro scope", person("dave"), manage.IssueRequest{Name: "p", Scopes: []string{"orders:write"}}, nil},
		{"a token, a scope it holds, within the plan", r.as(writer), manage.IssueRequest{Name: "w2", Scopes: []string{"orders:write"}}, nil},
		{"a token, a scope of the plan it does not hold", r.as(writer), manage.IssueRequest{Name: "w3", Scopes: []string{"reports:read"}}, manage.ErrForbidden},
	}
	for _, c := range cases {
		before := r.snapshot()
		iss, err := r.svc.Issue(r.ctx, c.caller, c.req)
		outcome(t, c.name, err, c.want)
		if c.want != nil {
			r.unchangedSince(before, c.name)
			continue
		}
		if err == nil && iss.Token.Plan != r.record(iss.Token.ID).Plan {
			t.Errorf("%s: answered plan %q, stored %q", c.name, iss.Token.Plan, r.record(iss.Token.ID).Plan)
		}
	}
	// Moved back to free, big's tokens keep their scopes (validate narrows
	// them) but no copy of one may carry orders:write.
	if _, err := r.svc.SetOwnerPolicy(r.ctx, ops, "big", manage.OwnerPolicy{Plan: ptr("free")}, deadline()); err != nil {
		t.Fatal(err)
	}
	before := r.snapshot()
	_, err := r.svc.Copy(r.ctx, ops, writer.Token.ID, manage.CopyRequest{Name: "copy"})
	outcome(t, "copying a pro token onto free", err, manage.ErrForbidden)
	r.unchangedSince(before, "the refused copy")
	if got := r.record(writer.Token.ID); len(got.Scopes) != 2 || got.Plan != "free" {
		t.Errorf("after the downgrade the token holds %v on plan %q, want its 2 scopes on free", got.Scopes, got.Plan)
	}
	if got := r.record(proTok.Token.ID).Plan; got != "free" {
		t.Errorf("the seed token is on %q, want free", got)
	}
}

// A plan's longest lifetime: an expiry asked beyond it is refused, the
// default and a copy's or a regenerate's inherited length are shortened to
// it.
func TestPlanBoundsLifetime(t *testing.T) {
	t.Parallel()
	r := newRig(t, plansEnv)
	week := int64(7 * 24 * time.Hour / time.Second)
	cases := []struct {
		name string
		req  manage.IssueRequest
		want error
		life int64 // seconds from now to expiry, when issued
	}{
		{"the default (30 days) is shortened", manage.IssueRequest{Owner: "acme", Name: "d", Scopes: []string{"orders:read"}}, nil, week},
		{"7 days asked", manage.IssueRequest{Owner: "acme", Name: "s", Scopes: []string{"orders:read"}, ExpiresInDays: ptr(7)}, nil, week},
		{"2 days asked", manage.IssueRequest{Owner: "acme", Name: "t", Scopes: []string{"orders:read"}, ExpiresInDays: ptr(2)}, nil, 2 * 86400},
		{"8 days asked", manage.IssueRequest{Owner: "acme", Name: "e", Scopes: []string{"orders:read"}, ExpiresInDays: ptr(8)}, manage.ErrInvalid, 0},
		{"an instant beyond it", manage.IssueRequest{Owner: "acme", Name: "i", Scopes: []string{"orders:read"}, ExpiresAt: ptr(r.start.Add(8 * 24 * time.Hour))}, manage.ErrInvalid, 0},
	}
	for _, c := range cases {
		before := r.snapshot()
		iss, err := r.svc.Issue(r.ctx, ops, c.req)
		outcome(t, c.name, err, c.want)
		if err != nil {
			r.unchangedSince(before, c.name)
			continue
		}
		if got := iss.Token.ExpiresAt - r.a.Clock.Now().Unix(); got != c.life {
			t.Errorf("%s: lifetime %ds, want %ds", c.name, got, c.life)
		}
	}
	// On pro (no bound of its own) a 30-day token, moved to free: its
	// regenerate gets free's week, and a copy too.
	if _, err := r.svc.SetOwnerPolicy(r.ctx, ops, "big", manage.OwnerPolicy{Plan: ptr("pro")}, deadline()); err != nil {
		t.Fatal(err)
	}
	long := r.mint(ops, manage.IssueRequest{Owner: "big", Name: "long30", Scopes: []string{"orders:read"}, ExpiresInDays: ptr(30)})
	if _, err := r.svc.SetOwnerPolicy(r.ctx, ops, "big", manage.OwnerPolicy{Plan: ptr("free")}, deadline()); err != nil {
		t.Fatal(err)
	}
	reg, err := r.svc.Regenerate(r.ctx, ops, long.Token.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	if got := reg.Token.ExpiresAt - r.a.Clock.Now().Unix(); got != week {
		t.Errorf("regenerated on free: lifetime %ds, want %ds", got, week)
	}
	cp, err := r.svc.Copy(r.ctx, ops, long.Token.ID, manage.CopyRequest{Name: "copy"})
	if err != nil {
		t.Fatal(err)
	}
	if got := cp.Token.ExpiresAt - r.a.Clock.Now().Unix(); got != week {
		t.Errorf("copied on free: lifetime %ds, want %ds", got, week)
	}
}

// Moving an owner to a plan is an admin's, checked, audited, and copied onto
// every token of the owner.
func TestSetOwnerPlan(t *testing.T) {
	t.Parallel()
	r := newRig(t, plansEnv)
	admin := r.as(r.mint(ops, manage.IssueRequest{Owner: "root", Name: "admin", Scopes: []string{"tokens:admin"}}))
	writer := r.as(r.mint(ops, manage.IssueRequest{Owner: "acme", Name: "w", Scopes: []string{"tokens:write", "orders:read"}}))
	other := r.mint(ops, manage.IssueRequest{Owner: "acme", Name: "x", Scopes: []string{"orders:read"}})
	cases := []struct {
		name   string
		caller manage.Caller
		p      manage.OwnerPolicy
		want   error
	}{
		{"a writer", writer, manage.OwnerPolicy{Plan: ptr("pro")}, manage.ErrForbidden},
		{"a person", person("acme"), manage.OwnerPolicy{Plan: ptr("pro")}, manage.ErrForbidden},
		{"a plan that does not exist", admin, manage.OwnerPolicy{Plan: ptr("gold")}, manage.ErrInvalid},
		{"nothing to set", admin, manage.OwnerPolicy{}, manage.ErrInvalid},
	}
	for _, c := range cases {
		before := r.snapshot()
		_, err := r.svc.SetOwnerPolicy(r.ctx, c.caller, "acme", c.p, deadline())
		outcome(t, c.name, err, c.want)
		r.unchangedSince(before, c.name)
	}
	res, err := r.svc.SetOwnerPolicy(r.ctx, admin, "acme", manage.OwnerPolicy{Plan: ptr("pro")}, deadline())
	if err != nil {
		t.Fatal(err)
	}
	if res.PlanName != "pro" || res.Marked != 2 || !res.Complete {
		t.Errorf("moved to pro: plan %q, marked %d, complete %v; want pro, 2, true", res.PlanName, res.Marked, res.Complete)
	}
	if got := r.record(other.Token.ID).Plan; got != "pro" {
		t.Errorf("the owner's token is on %q, want pro", got)
	}
	// Again: nothing changes, nothing is audited twice.
	before := r.snapshot()
	if res, err = r.svc.SetOwnerPolicy(r.ctx, admin, "acme", manage.OwnerPolicy{Plan: ptr("pro")}, deadline()); err != nil || res.Marked != 0 {
		t.Errorf("setting the same plan again: marked %v, err %v", res, err)
	}
	r.unchangedSince(before, "setting the same plan again")
	evs, _, err := r.svc.OwnerAudit(r.ctx, admin, "acme", 10, "")
	if err != nil {
		t.Fatal(err)
	}
	var got []audit.Event
	for _, e := range evs {
		if e.Action == audit.OwnerPolicy {
			got = append(got, e)
		}
	}
	if len(got) != 1 || got[0].Actor != admin.Actor() {
		t.Fatalf("policy events %+v, want one by %s", got, admin.Actor())
	}
	if ch, ok := got[0].Details["plan"].(map[string]any); !ok || ch["from"] != "free" || ch["to"] != "pro" {
		t.Errorf("the event's plan change is %v, want from free to pro", got[0].Details["plan"])
	}
}

// A plan's maxLiveTokens: a create past it is refused (409) and writes
// nothing; a revoked or expired token frees its place; creates racing for
// the last place never both win.
func TestPlanBoundsLiveTokens(t *testing.T) {
	t.Parallel()
	r := newRig(t, testkit.Env{"PLANS_JSON": `{"plans": {"two": {"scopes": ["orders:read"], "maxLiveTokens": 2}}}`, "DEFAULT_PLAN": "two"})
	a := r.mint(ops, manage.IssueRequest{Owner: "acme", Name: "a", Scopes: []string{"orders:read"}})
	b := r.mint(ops, manage.IssueRequest{Owner: "acme", Name: "b", Scopes: []string{"orders:read"}, ExpiresInDays: ptr(1)})
	for _, c := range []struct {
		name string
		run  func() error
	}{
		{"a third by issue", func() error {
			_, err := r.svc.Issue(r.ctx, ops, manage.IssueRequest{Owner: "acme", Name: "c", Scopes: []string{"orders:read"}})
			return err
		}},
		{"a third by copy", func() error { _, err := r.svc.Copy(r.ctx, ops, a.Token.ID, manage.CopyRequest{Name: "c"}); return err }},
	} {
		before := r.snapshot()
		outcome(t, c.name, c.run(), manage.ErrConflict)
		r.unchangedSince(before, c.name)
	}
	if _, err := r.svc.Revoke(r.ctx, ops, a.Token.ID); err != nil {
		t.Fatal(err)
	}
	r.mint(ops, manage.IssueRequest{Owner: "acme", Name: "c", Scopes: []string{"orders:read"}})
	// b expires: its place is free, sweeper or not.
	r.a.Clock.Advance(25 * time.Hour)
	r.mint(ops, manage.IssueRequest{Owner: "acme", Name: "d", Scopes: []string{"orders:read"}})
	_ = b

	// Eight creates race for one owner's two places.
	var wins, full atomic.Int32
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			_, err := r.svc.Issue(r.ctx, ops, manage.IssueRequest{Owner: "race", Name: fmt.Sprint("r", i), Scopes: []string{"orders:read"}})
			switch {
			case err == nil:
				wins.Add(1)
			case errors.Is(err, manage.ErrConflict):
				full.Add(1)
			default:
				t.Errorf("create %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	if wins.Load() != 2 || full.Load() != 6 {
		t.Errorf("racing creates: %d won, %d refused; want 2 and 6", wins.Load(), full.Load())
	}
}

// An admin's overrides replace the plan's limits for one owner: its live
// tokens, its tokens' lifetime and its quota (copied onto its tokens);
// each is audited, bad values are refused and write nothing, and 0 goes
// back to the plan's.
func TestOwnerOverrides(t *testing.T) {
	t.Parallel()
	r := newRig(t, testkit.Env{"PLANS_JSON": `{"plans": {"one": {"scopes": ["orders:read"], "maxLiveTokens": 1, "maxLifetimeDays": 7, "quota": {"requests": 10, "period": "day"}}}}`, "DEFAULT_PLAN": "one"})
	tok := r.mint(ops, manage.IssueRequest{Owner: "acme", Name: "a", Scopes: []string{"orders:read"}})
	for _, c := range []struct {
		name string
		p    manage.OwnerPolicy
	}{
		{"a negative limit", manage.OwnerPolicy{MaxLiveTokens: ptr(-1)}},
		{"a lifetime past MAX_LIFETIME_DAYS", manage.OwnerPolicy{MaxLifetimeDays: ptr(10000)}},
		{"a quota of no period", manage.OwnerPolicy{Quota: &plan.Quota{Requests: 5, Period: "year"}}},
	} {
		before := r.snapshot()
		_, err := r.svc.SetOwnerPolicy(r.ctx, ops, "acme", c.p, deadline())
		outcome(t, c.name, err, manage.ErrInvalid)
		r.unchangedSince(before, c.name)
	}
	res, err := r.svc.SetOwnerPolicy(r.ctx, ops, "acme", manage.OwnerPolicy{MaxLiveTokens: ptr(2), MaxLifetimeDays: ptr(30),
		Quota: &plan.Quota{Requests: 500, Period: plan.Month}}, deadline())
	if err != nil {
		t.Fatal(err)
	}
	if l := res.Limits; l.MaxLiveTokens != 2 || l.MaxLifetime != 30*24*time.Hour || *l.Quota != (plan.Quota{Requests: 500, Period: plan.Month}) || res.Marked != 1 {
		t.Errorf("overridden: %+v quota %+v, marked %d", l, l.Quota, res.Marked)
	}
	if got := r.record(tok.Token.ID).Quota; got != "500/month" {
		t.Errorf("the token carries quota %q", got)
	}
	second := r.mint(ops, manage.IssueRequest{Owner: "acme", Name: "b", Scopes: []string{"orders:read"}, ExpiresInDays: ptr(30)})
	if second.Token.Quota != "500/month" {
		t.Errorf("a new token carries quota %q", second.Token.Quota)
	}
	_, err = r.svc.Issue(r.ctx, ops, manage.IssueRequest{Owner: "acme", Name: "c", Scopes: []string{"orders:read"}})
	outcome(t, "a third token past the override's 2", err, manage.ErrConflict)
	// Back to the plan's: 0 each.
	if res, err = r.svc.SetOwnerPolicy(r.ctx, ops, "acme", manage.OwnerPolicy{MaxLiveTokens: ptr(0), MaxLifetimeDays: ptr(0), Quota: &plan.Quota{}}, deadline()); err != nil {
		t.Fatal(err)
	}
	if l := res.Limits; l.MaxLiveTokens != 1 || l.MaxLifetime != 7*24*time.Hour || l.Quota.Requests != 10 || r.record(tok.Token.ID).Quota != "" {
		t.Errorf("back to the plan's: %+v, token quota %q", l, r.record(tok.Token.ID).Quota)
	}
	evs, _, err := r.svc.OwnerAudit(r.ctx, ops, "acme", 10, "")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range evs {
		if e.Action == audit.OwnerPolicy && e.Details["quota"] != nil && e.Details["maxLiveTokens"] != nil {
			n++
		}
	}
	if n != 2 {
		t.Errorf("%d policy events with the overrides, want 2", n)
	}
}
