package manage_test

import (
	"testing"

	"github.com/keymint/keymint/shared/lifecycle"
	"github.com/keymint/keymint/shared/manage"
)

// A token refused for everything else (Caller.RevokeOnly: deactivated,
// idle, its owner disabled, outside its addresses) holds no scopes and may
// only revoke itself: every other change, and revoking another token, is
// forbidden and writes nothing.
func TestRevokeOnlyCallerRevokesOnlyItself(t *testing.T) {
	t.Parallel()
	r := newRig(t, nil)
	self := r.mint(ops, manage.IssueRequest{Owner: "acme", Name: "self", Scopes: []string{"tokens:manage"}})
	sibling := r.mint(ops, manage.IssueRequest{Owner: "acme", Name: "sibling", Scopes: []string{"tokens:read"}})
	caller := manage.Caller{Owner: "acme", TokenID: self.Token.ID, RevokeOnly: true}
	cases := []struct {
		name   string
		action string
		id     string
		want   error
	}{
		{"regenerate itself", "regenerate", self.Token.ID, manage.ErrForbidden},
		{"edit itself", "edit", self.Token.ID, manage.ErrForbidden},
		{"unblock an address on itself", "unblock ip", self.Token.ID, manage.ErrForbidden},
		{"activate itself", "activate", self.Token.ID, manage.ErrForbidden},
		{"revoke a sibling", "revoke", sibling.Token.ID, manage.ErrForbidden},
		{"revoke itself", "revoke", self.Token.ID, nil},
	}
	for n, c := range cases {
		var run func(*rig, manage.Caller, string, int) error
		for _, a := range actions {
			if a.name == c.action {
				run = a.run
			}
		}
		before := r.snapshot()
		outcome(t, c.name, run(r, caller, c.id, n), c.want)
		if c.want != nil {
			r.unchangedSince(before, c.name)
		}
	}
	// Copy makes a token rather than changing one: what stops it is that
	// the caller holds none of the scopes it would grant.
	before := r.snapshot()
	_, err := r.svc.Copy(r.ctx, caller, self.Token.ID, manage.CopyRequest{Name: "escape"})
	outcome(t, "copy itself", err, manage.ErrForbidden)
	r.unchangedSince(before, "copy itself")
	if st := r.record(self.Token.ID).Status; st != lifecycle.StatusRevoked {
		t.Errorf("the caller is %s, want revoked", st)
	}
	if st := r.record(sibling.Token.ID).Status; st != lifecycle.StatusActive {
		t.Errorf("the sibling is %s, want active", st)
	}
}
