package validate_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/keymint/keymint/internal/testkit"
	"github.com/keymint/keymint/shared/app/validatefn"
	"github.com/keymint/keymint/shared/manage"
	"github.com/keymint/keymint/shared/policy"
	"github.com/keymint/keymint/shared/validate"
)

// A property: whatever scopes a token holds and whatever plan its owner is
// moved to, the authorizer allows a route exactly when a scope the plan
// grants (or a management scope, or the route being open to any token)
// opens it: never through a scope outside the plan. Plans are random
// subsets of the catalogue's API scopes; tokens random subsets of all its
// scopes, issued on a plan that grants everything and then moved.
func TestNoRouteThroughAScopeOutsideThePlan(t *testing.T) {
	t.Parallel()
	cat, err := policy.Default()
	if err != nil {
		t.Fatal(err)
	}
	var api []string
	for _, s := range cat.Scopes() {
		if !policy.Management(s) {
			api = append(api, s)
		}
	}
	r := rand.New(rand.NewPCG(20, 26))
	subset := func(of []string) []string {
		var out []string
		for _, s := range of {
			if r.IntN(2) == 0 {
				out = append(out, s)
			}
		}
		return out
	}
	const plans = 6
	var defs []string
	planScopes := map[string][]string{"all": api}
	defs = append(defs, fmt.Sprintf("%q: {\"scopes\": [%s]}", "all", quoted(api)))
	for i := range plans {
		name := fmt.Sprintf("p%d", i)
		planScopes[name] = subset(api)
		defs = append(defs, fmt.Sprintf("%q: {\"scopes\": [%s]}", name, quoted(planScopes[name])))
	}
	a := testkit.NewApp(t, testkit.Env{"PLANS_JSON": `{"plans": {` + strings.Join(defs, ", ") + `}}`, "DEFAULT_PLAN": "all", "VALIDATE_CACHE_TTL": "0"})
	v := validate.NewValidator(a.Store, a.Keyring, a.Catalogue, a.Clock, validatefn.Options(a.App), a.Log)
	svc, ctx, ops := a.Service(), context.Background(), manage.Caller{Ops: true}

	// Concrete requests for every route pattern of the catalogue.
	var routes [][2]string
	l := cat.List()
	for _, s := range l.Scopes {
		for _, rt := range s.Routes {
			method, path, _ := strings.Cut(rt.String(), " ")
			if method == "*" || method == "ANY" {
				method = "DELETE"
			}
			path = strings.ReplaceAll(strings.ReplaceAll(path, "**", "a/b"), "*", "x1")
			routes = append(routes, [2]string{method, path})
		}
	}
	checked, allowed := 0, 0
	for i := range 24 {
		owner := fmt.Sprintf("o%d", i)
		scopes := subset(cat.Scopes())
		if len(scopes) == 0 {
			scopes = []string{api[r.IntN(len(api))]}
		}
		iss, err := svc.Issue(ctx, ops, manage.IssueRequest{Owner: owner, Name: "t", Scopes: scopes})
		if err != nil {
			t.Fatal(err)
		}
		planName := fmt.Sprintf("p%d", r.IntN(plans))
		if _, err := svc.SetOwnerPolicy(ctx, ops, owner, manage.OwnerPolicy{Plan: &planName}, time.Now().Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		granted := slices.DeleteFunc(slices.Clone(scopes), func(s string) bool {
			return !policy.Management(s) && !slices.Contains(planScopes[planName], s)
		})
		for _, rt := range routes {
			d, err := v.Check(ctx, validate.Request{Token: iss.Plaintext, Method: rt[0], Path: rt[1]})
			if err != nil {
				t.Fatal(err)
			}
			want := cat.AllowsFor(granted, iss.Token.ID, rt[0], rt[1])
			if got := d.Status == validate.Valid; got != want {
				t.Errorf("token %v on plan %s %v: %s %s allowed=%v, want %v", scopes, planName, planScopes[planName], rt[0], rt[1], got, want)
			}
			checked++
			if want {
				allowed++
			}
		}
	}
	// The property must have been tried both ways.
	if allowed == 0 || allowed == checked {
		t.Fatalf("%d of %d requests allowed: the cases prove nothing", allowed, checked)
	}
	t.Logf("%d requests, %d allowed", checked, allowed)
}

func quoted(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}
