package manage_test

import (
	"slices"
	"testing"
	"time"

	"github.com/keymint/keymint/shared/manage"
)

// A copy is a new token in the source's owner with its scopes,
// description, lifetime length and CIDRs. The caller must cover the source
// and hold its scopes, as for issue; otherwise nothing is written.
func TestCopy(t *testing.T) {
	t.Parallel()
	r := newRig(t, nil)
	src := r.mint(ops, manage.IssueRequest{Owner: "acme", Name: "src", Description: "d", Scopes: []string{"orders:read"},
		ExpiresInDays: ptr(10), AllowedCIDRs: []string{"10.0.0.0/8"}})
	holder := r.as(r.mint(ops, manage.IssueRequest{Owner: "acme", Name: "holder", Scopes: []string{"tokens:manage", "orders:read"}}))
	lacking := r.as(r.mint(ops, manage.IssueRequest{Owner: "acme", Name: "lacking", Scopes: []string{"tokens:manage"}}))
	stranger := r.as(r.mint(ops, manage.IssueRequest{Owner: "beta", Name: "stranger", Scopes: []string{"tokens:manage", "orders:read"}}))
	admin := r.as(r.mint(ops, manage.IssueRequest{Owner: "beta", Name: "admin", Scopes: []string{"tokens:admin"}}))
	r.a.Clock.Advance(24 * time.Hour)
	now := r.start.Add(24 * time.Hour)
	cases := []struct {
		name   string
		caller manage.Caller
		copyAs string
		want   error
	}{
		{"a caller holding the source's scopes", holder, "c1", nil},
		{"a caller lacking one", lacking, "c2", manage.ErrForbidden},
		{"another owner", stranger, "c3", manage.ErrNotFound},
		{"an admin of another owner", admin, "c4", nil},
		{"a bad name", holder, "no spaces", manage.ErrInvalid},
	}
	for _, c := range cases {
		before := r.snapshot()
		got, err := r.svc.Copy(r.ctx, c.caller, src.Token.ID, manage.CopyRequest{Name: c.copyAs})
		outcome(t, c.name, err, c.want)
		if c.want != nil {
			r.unchangedSince(before, c.name)
			continue
		}
		if err != nil {
			continue
		}
		cp := r.record(got.Token.ID)
		switch {
		case cp.ID == src.Token.ID || got.Plaintext == "":
			t.Errorf("%s: not a new token with a secret", c.name)
		case cp.Owner != "acme" || cp.Name != c.copyAs || cp.Description != "d":
			t.Errorf("%s: copy is %s/%s %q", c.name, cp.Owner, cp.Name, cp.Description)
		case !slices.Equal(cp.Scopes, src.Token.Scopes) || !slices.Equal(cp.AllowedCIDRs, src.Token.AllowedCIDRs):
			t.Errorf("%s: scopes %v cidrs %v, want %v %v", c.name, cp.Scopes, cp.AllowedCIDRs, src.Token.Scopes, src.Token.AllowedCIDRs)
		case cp.ExpiresAt != now.Add(10*24*time.Hour).Unix():
			t.Errorf("%s: expiresAt %d, want the source's 10 days from now", c.name, cp.ExpiresAt)
		case r.holder("acme", c.copyAs) != cp.ID:
			t.Errorf("%s: the copy does not hold its name", c.name)
		}
	}
	if r.record(src.Token.ID).Version != 1 {
		t.Error("copying changed the source")
	}
}
