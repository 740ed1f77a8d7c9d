package manage_test

import (
	"errors"
	"testing"
	"time"

	"github.com/keymint/keymint/internal/testkit"
	"github.com/keymint/keymint/shared/lifecycle"
	"github.com/keymint/keymint/shared/manage"
)

// Issuing grants only scopes the caller holds (admins any known scope),
// only for the caller's own owner unless it is an admin, and refuses bad
// input; a refused issue writes nothing.
func TestIssueGrantsOnlyWhatTheCallerHolds(t *testing.T) {
	t.Parallel()
	r := newRig(t, nil)
	writer := r.as(r.mint(ops, manage.IssueRequest{Owner: "acme", Name: "writer", Scopes: []string{"tokens:manage", "orders:read"}}))
	reader := r.as(r.mint(ops, manage.IssueRequest{Owner: "acme", Name: "reader", Scopes: []string{"tokens:read"}}))
	admin := r.as(r.mint(ops, manage.IssueRequest{Owner: "acme", Name: "admin", Scopes: []string{"tokens:admin"}}))
	soon := r.start.Add(time.Hour)
	cases := []struct {
		name      string
		caller    manage.Caller
		req       manage.IssueRequest
		want      error
		wantField string // for ErrInvalid: the field named
	}{
		{name: "a scope it holds", caller: writer, req: manage.IssueRequest{Scopes: []string{"orders:read"}}},
		{name: "a bundle of scopes it holds", caller: writer, req: manage.IssueRequest{Scopes: []string{"tokens:manage"}}},
		{name: "admin beyond write", caller: writer, req: manage.IssueRequest{Scopes: []string{"tokens:admin"}}, want: manage.ErrForbidden},
		{name: "an API scope it lacks", caller: writer, req: manage.IssueRequest{Scopes: []string{"orders:write"}}, want: manage.ErrForbidden},
		{name: "a bundle with a scope it lacks", caller: writer, req: manage.IssueRequest{Scopes: []string{"orders:full"}}, want: manage.ErrForbidden},
		{name: "read grants write", caller: reader, req: manage.IssueRequest{Scopes: []string{"tokens:write"}}, want: manage.ErrForbidden},
		{name: "admin grants any known scope", caller: admin, req: manage.IssueRequest{Scopes: []string{"tokens:admin", "orders:full", "reports:read"}}},
		{name: "admin grants an unknown scope", caller: admin, req: manage.IssueRequest{Scopes: []string{"orders:delete"}}, want: manage.ErrInvalid, wantField: "scopes"},
		{name: "no scopes", caller: admin, req: manage.IssueRequest{}, want: manage.ErrInvalid, wantField: "scopes"},
		{name: "for another owner, not admin", caller: writer, req: manage.IssueRequest{Owner: "beta", Scopes: []string{"orders:read"}}, want: manage.ErrForbidden},
		{name: "for another owner, admin", caller: admin, req: manage.IssueRequest{Owner: "beta", Scopes: []string{"orders:read"}}},
		{name: "a bad name", caller: admin, req: manage.IssueRequest{Name: "no spaces", Scopes: []string{"tokens:read"}}, want: manage.ErrInvalid, wantField: "name"},
		{name: "a control character in the description", caller: admin, req: manage.IssueRequest{Description: "a\x1b[2Jb", Scopes: []string{"tokens:read"}}, want: manage.ErrInvalid, wantField: "description"},
		{name: "a bad CIDR", caller: admin, req: manage.IssueRequest{AllowedCIDRs: []string{"10.0.0.0/33"}, Scopes: []string{"tokens:read"}}, want: manage.ErrInvalid, wantField: "allowedCidrs"},
		{name: "both expiry forms", caller: admin, req: manage.IssueRequest{ExpiresAt: &soon, ExpiresInDays: ptr(1), Scopes: []string{"tokens:read"}}, want: manage.ErrInvalid, wantField: "expiresAt"},
		{name: "past the maximum lifetime", caller: admin, req: manage.IssueRequest{ExpiresInDays: ptr(367), Scopes: []string{"tokens:read"}}, want: manage.ErrInvalid, wantField: "expiresInDays"},
		{name: "an expiry in the past", caller: admin, req: manage.IssueRequest{ExpiresAt: ptr(r.start.Add(-time.Second)), Scopes: []string{"tokens:read"}}, want: manage.ErrInvalid, wantField: "expiresAt"},
	}
	for i, c := range cases {
		if c.req.Name == "" {
			c.req.Name = "t" + string(rune('a'+i))
		}
		before := r.snapshot()
		got, err := r.svc.Issue(r.ctx, c.caller, c.req)
		outcome(t, c.name, err, c.want)
		if c.want != nil {
			r.unchangedSince(before, c.name)
			var fe *manage.FieldError
			if c.wantField != "" && (!errors.As(err, &fe) || fe.Field != c.wantField) {
				t.Errorf("%s: %v, want a FieldError on %s", c.name, err, c.wantField)
			}
			continue
		}
		if err != nil {
			continue
		}
		want := c.req.Owner
		if want == "" {
			want = c.caller.Owner
		}
		stored := r.record(got.Token.ID)
		if stored.Owner != want || stored.Name != c.req.Name || r.holder(want, c.req.Name) != stored.ID {
			t.Errorf("%s: stored %s/%s, reservation %q; want %s/%s held by %s", c.name, stored.Owner, stored.Name, r.holder(want, c.req.Name), want, c.req.Name, stored.ID)
		}
	}
}

// The lifetime asked for is kept (regenerate and copy reuse it); neither
// form gives the default lifetime.
func TestIssueExpiry(t *testing.T) {
	t.Parallel()
	r := newRig(t, nil)
	at := r.start.Add(48*time.Hour + 1500*time.Millisecond)
	cases := []struct {
		name string
		req  manage.IssueRequest
		want time.Time
	}{
		{"default", manage.IssueRequest{}, r.start.Add(30 * 24 * time.Hour)},
		{"in days", manage.IssueRequest{ExpiresInDays: ptr(10)}, r.start.Add(10 * 24 * time.Hour)},
		{"the maximum", manage.IssueRequest{ExpiresInDays: ptr(366)}, r.start.Add(366 * 24 * time.Hour)},
		{"at an instant, to the second", manage.IssueRequest{ExpiresAt: &at}, at.Truncate(time.Second)},
	}
	for i, c := range cases {
		c.req.Owner, c.req.Name, c.req.Scopes = "acme", "e"+string(rune('a'+i)), []string{"tokens:read"}
		got := r.mint(ops, c.req)
		stored := r.record(got.Token.ID)
		if stored.ExpiresAt != c.want.Unix() || stored.Lifetime != c.want.Unix()-r.start.Unix() {
			t.Errorf("%s: expiresAt %d lifetime %d, want %d and %d", c.name, stored.ExpiresAt, stored.Lifetime, c.want.Unix(), c.want.Unix()-r.start.Unix())
		}
	}
}

// Under the single-token policy (the deployment's, or the owner's own) an
// issue revokes the owner's other live tokens in its transaction and says
// which; the new token may take a replaced one's name. Other owners, and
// owners without the policy, keep their tokens.
func TestSingleTokenIssueReplaces(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		env        testkit.Env
		ownPolicy  bool // set acme's own policy
		wantSingle bool
	}{
		{name: "no policy"},
		{name: "the deployment's", env: testkit.Env{"SINGLE_TOKEN_PER_OWNER": "true"}, wantSingle: true},
		{name: "the owner's own", ownPolicy: true, wantSingle: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := newRig(t, c.env)
			if c.ownPolicy {
				if _, err := r.svc.SetOwnerPolicy(r.ctx, ops, "acme", manage.OwnerPolicy{SingleToken: ptr(true)}, time.Time{}); err != nil {
					t.Fatal(err)
				}
			}
			old := r.mint(ops, manage.IssueRequest{Owner: "acme", Name: "ci", Scopes: []string{"tokens:read"}})
			beta := r.mint(ops, manage.IssueRequest{Owner: "beta", Name: "ci", Scopes: []string{"tokens:read"}})
			name := "ci"
			if !c.wantSingle {
				name = "ci2" // the first still holds ci
			}
			next := r.mint(ops, manage.IssueRequest{Owner: "acme", Name: name, Scopes: []string{"tokens:read"}})
			wantOld, wantReplaced := lifecycle.StatusActive, 0
			if c.wantSingle {
				wantOld, wantReplaced = lifecycle.StatusRevoked, 1
			}
			if got := r.record(old.Token.ID).Status; got != wantOld || len(next.Replaced) != wantReplaced {
				t.Fatalf("the first token is %s and %d were replaced; want %s and %d", got, len(next.Replaced), wantOld, wantReplaced)
			}
			if c.wantSingle && (next.Replaced[0].ID != old.Token.ID || next.Replaced[0].Status != lifecycle.StatusRevoked) {
				t.Errorf("replaced: %s %s, want %s revoked", next.Replaced[0].ID, next.Replaced[0].Status, old.Token.ID)
			}
			if h := r.holder("acme", name); h != next.Token.ID {
				t.Errorf("%s is held by %q, want the new token", name, h)
			}
			if got := r.record(beta.Token.ID).Status; got != lifecycle.StatusActive {
				t.Errorf("another owner's token is %s", got)
			}
		})
	}
}
