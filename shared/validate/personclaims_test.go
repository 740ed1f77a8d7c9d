package validate_test

import (
	"context"
	"testing"

	"github.com/keymint/keymint/internal/testkit"
	"github.com/keymint/keymint/shared/manage"
	"github.com/keymint/keymint/shared/validate"
)

// An ID token for several audiences is accepted only when its authorized
// party (azp) is keymint's client (OpenID Connect Core 1.0 §3.1.3.7); one
// for keymint alone needs no azp, but an azp present must be keymint's.
func TestSeveralAudiencesNeedAzpOfThisClient(t *testing.T) {
	t.Parallel()
	f := newPersonFixture(t)
	aud := f.is.Audience
	cases := []struct {
		name string
		aud  any
		azp  any // nil: no azp claim
		want validate.Status
	}{
		{"one audience, no azp", aud, nil, validate.Valid},
		{"one audience in a list, no azp", []string{aud}, nil, validate.Valid},
		{"one audience, azp this client", aud, aud, validate.Valid},
		{"one audience, azp another client", aud, "reports-app", validate.InvalidIDToken},
		{"several audiences, azp this client", []string{aud, "reports-app"}, aud, validate.Valid},
		{"several audiences, this client second, azp this client", []string{"reports-app", aud}, aud, validate.Valid},
		{"several audiences, no azp", []string{aud, "reports-app"}, nil, validate.InvalidIDToken},
		{"several audiences, azp another client", []string{aud, "reports-app"}, "reports-app", validate.InvalidIDToken},
		{"several audiences, azp empty", []string{"reports-app", aud}, "", validate.InvalidIDToken},
		{"several audiences, azp not a string", []string{aud, "reports-app"}, []string{aud}, validate.InvalidIDToken},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			claims := f.is.Claims("alice", f.Clock.Now())
			claims["aud"] = c.aud
			if c.azp != nil {
				claims["azp"] = c.azp
			}
			if got := f.check(t, f.is.Sign(t, claims), "GET", "/tokens"); got != c.want {
				t.Fatalf("status %s, want %s", got, c.want)
			}
		})
	}
}

// The admin claim is matched exactly: a string claim is one value unless
// it is a space-separated one (scope); a list (JSON array) holds values.
// So an address with a space in it makes nobody an admin.
func TestAdminClaimMatchedExactly(t *testing.T) {
	t.Parallel()
	type claim struct {
		value any
		admin bool
	}
	cases := []struct {
		name, claimName, adminValue string
		values                      []claim
	}{
		{"email", "email", "root@example.test", []claim{
			{"root@example.test", true},
			{"mallory@x root@example.test", false},
			{"root@example.test mallory@x", false},
			{" root@example.test", false},
			{"ROOT@example.test", false},
			{[]any{"root@example.test"}, true},
			{[]any{"mallory@x root@example.test"}, false},
		}},
		{"groups", "groups", "keymint-admins", []claim{
			{[]any{"staff", "keymint-admins"}, true},
			{"keymint-admins", true},
			{"staff keymint-admins", false},
			{[]any{"staff keymint-admins"}, false},
			{[]any{"keymint-admins-not"}, false},
			{map[string]any{"keymint-admins": true}, false},
			{true, false},
		}},
		{"sub", "sub", "root", []claim{
			{"root", true},
			{"alice", false},
		}},
		{"scope, space-separated by definition", "scope", "keymint:admin", []claim{
			{"openid keymint:admin", true},
			{"keymint:admin", true},
			{"openid", false},
			{"openid keymint:admin-x", false},
			{[]any{"keymint:admin"}, true},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			f := newPersonFixtureWith(t, testkit.Env{"OIDC_ADMIN_CLAIM": c.claimName, "OIDC_ADMIN_VALUE": c.adminValue})
			for i, v := range c.values {
				claims := f.is.Claims("person", f.Clock.Now())
				if c.claimName == "sub" {
					claims["sub"] = v.value
				} else {
					claims[c.claimName] = v.value
				}
				claims["email_verified"] = true
				claims["jti"] = i // a new token each time: no cache hit
				want := validate.ScopeDenied
				if v.admin {
					want = validate.Valid
				}
				if got := f.check(t, f.is.Sign(t, claims), "GET", "/owners"); got != want {
					t.Errorf("%s = %#v: GET /owners is %s, want %s (admin %v)", c.claimName, v.value, got, want, v.admin)
				}
			}
		})
	}
}

// A person signs in only as an owner that is not an operator's: an ID
// token whose owner claim is admin (made by ops) or any owner an operator
// named is refused, while people's owners and owners not made yet work.
func TestPersonNeverAnOperatorsOwner(t *testing.T) {
	t.Parallel()
	f := newPersonFixture(t)
	ctx := context.Background()
	svc := f.App.Service()
	for _, o := range []string{"admin", "orders"} {
		if _, err := svc.Issue(ctx, manage.Caller{Ops: true}, manage.IssueRequest{Name: "boot", Scopes: []string{manage.ScopeRead}, Owner: o}); err != nil {
			t.Fatal(err)
		}
	}
	alice := manage.Caller{Person: true, Owner: "alice", Scopes: []string{manage.ScopeRead, manage.ScopeWrite}}
	if _, err := svc.Issue(ctx, alice, manage.IssueRequest{Name: "mine", Scopes: []string{manage.ScopeRead}}); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		sub  string
		want validate.Status
	}{
		{"admin", validate.InvalidIDToken},
		{"orders", validate.InvalidIDToken},
		{"alice", validate.Valid},
		{"carol", validate.Valid}, // no owner item yet
	}
	for _, c := range cases {
		t.Run(c.sub, func(t *testing.T) {
			if got := f.check(t, f.is.Sign(t, f.is.Claims(c.sub, f.Clock.Now())), "GET", "/tokens"); got != c.want {
				t.Fatalf("status %s, want %s", got, c.want)
			}
		})
	}
}
