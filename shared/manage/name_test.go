package manage_test

import (
	"testing"

	"github.com/keymint/keymint/shared/manage"
)

// A live token's name is its owner's alone: an issue, copy or rename onto
// it is a conflict that leaves no reservation, token or audit event behind
// and moves no existing reservation. Another owner may use the name, and
// revoking frees it at once.
func TestNamesAreUniquePerOwner(t *testing.T) {
	t.Parallel()
	r := newRig(t, nil)
	deploy := r.mint(ops, manage.IssueRequest{Owner: "acme", Name: "deploy", Scopes: []string{"tokens:read"}})
	other := r.mint(ops, manage.IssueRequest{Owner: "acme", Name: "other", Scopes: []string{"tokens:read"}})
	admin := r.as(r.mint(ops, manage.IssueRequest{Owner: "acme", Name: "admin", Scopes: []string{"tokens:admin"}}))
	refused := []struct {
		name string
		run  func() error
	}{
		{"issue under a taken name", func() error {
			_, err := r.svc.Issue(r.ctx, admin, manage.IssueRequest{Name: "deploy", Scopes: []string{"tokens:read"}})
			return err
		}},
		{"copy to a taken name", func() error {
			_, err := r.svc.Copy(r.ctx, admin, other.Token.ID, manage.CopyRequest{Name: "deploy"})
			return err
		}},
		{"rename onto a taken name", func() error {
			_, err := r.svc.Edit(r.ctx, admin, other.Token.ID, manage.EditRequest{Name: ptr("deploy"), Description: ptr("with it")})
			return err
		}},
		{"ops issue under a taken name", func() error {
			_, err := r.svc.Issue(r.ctx, ops, manage.IssueRequest{Owner: "acme", Name: "deploy", Scopes: []string{"tokens:read"}})
			return err
		}},
	}
	for _, c := range refused {
		before := r.snapshot()
		outcome(t, c.name, c.run(), manage.ErrConflict)
		r.unchangedSince(before, c.name)
		if h := r.holder("acme", "deploy"); h != deploy.Token.ID {
			t.Errorf("%s: deploy is held by %q, want %s", c.name, h, deploy.Token.ID)
		}
		if h := r.holder("acme", "other"); h != other.Token.ID {
			t.Errorf("%s: other is held by %q, want %s", c.name, h, other.Token.ID)
		}
	}

	beta := r.mint(ops, manage.IssueRequest{Owner: "beta", Name: "deploy", Scopes: []string{"tokens:read"}})
	if h := r.holder("beta", "deploy"); h != beta.Token.ID {
		t.Errorf("beta's deploy is held by %q, want %s", h, beta.Token.ID)
	}

	// A rename moves the reservation; the old name is free.
	if _, err := r.svc.Edit(r.ctx, admin, other.Token.ID, manage.EditRequest{Name: ptr("renamed")}); err != nil {
		t.Fatal(err)
	}
	if h, old := r.holder("acme", "renamed"), r.holder("acme", "other"); h != other.Token.ID || old != "" {
		t.Errorf("after rename: renamed held by %q, other by %q; want %s and none", h, old, other.Token.ID)
	}

	// Revoking frees the name at once, for a new token.
	if _, err := r.svc.Revoke(r.ctx, admin, deploy.Token.ID); err != nil {
		t.Fatal(err)
	}
	if h := r.holder("acme", "deploy"); h != "" {
		t.Errorf("after revoke, deploy is held by %q", h)
	}
	next := r.mint(admin, manage.IssueRequest{Name: "deploy", Scopes: []string{"tokens:read"}})
	if h := r.holder("acme", "deploy"); h != next.Token.ID {
		t.Errorf("the new deploy: reservation held by %q, want %s", h, next.Token.ID)
	}
}
