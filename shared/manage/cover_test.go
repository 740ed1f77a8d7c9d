package manage_test

import (
	"fmt"
	"testing"

	"github.com/keymint/keymint/shared/lifecycle"
	"github.com/keymint/keymint/shared/manage"
)

// action is one change to an existing token, run through the Service as a
// route would run it. Names are unique per run so copies never collide.
type action struct {
	name string
	run  func(r *rig, c manage.Caller, id string, n int) error
}

// actions are every change on an existing token, ordered so each leaves
// the token fit for the next (revoke last).
var actions = []action{
	{"regenerate", func(r *rig, c manage.Caller, id string, _ int) error {
		_, err := r.svc.Regenerate(r.ctx, c, id, 60)
		return err
	}},
	{"edit", func(r *rig, c manage.Caller, id string, _ int) error {
		_, err := r.svc.Edit(r.ctx, c, id, manage.EditRequest{Description: ptr("changed")})
		return err
	}},
	{"copy", func(r *rig, c manage.Caller, id string, n int) error {
		_, err := r.svc.Copy(r.ctx, c, id, manage.CopyRequest{Name: fmt.Sprintf("copy-%d", n)})
		return err
	}},
	{"block ip", func(r *rig, c manage.Caller, id string, _ int) error {
		_, err := r.svc.BlockIP(r.ctx, c, id, "192.0.2.1")
		return err
	}},
	{"unblock ip", func(r *rig, c manage.Caller, id string, _ int) error {
		_, err := r.svc.UnblockIP(r.ctx, c, id, "192.0.2.1")
		return err
	}},
	{"deactivate", func(r *rig, c manage.Caller, id string, _ int) error {
		_, err := r.svc.Deactivate(r.ctx, c, id)
		return err
	}},
	{"activate", func(r *rig, c manage.Caller, id string, _ int) error {
		_, err := r.svc.Activate(r.ctx, c, id)
		return err
	}},
	{"revoke", func(r *rig, c manage.Caller, id string, _ int) error {
		_, err := r.svc.Revoke(r.ctx, c, id)
		return err
	}},
}

// Acting on a token needs the caller's scopes to cover the target's
// (admins cover everything); another owner's token is not found, never
// forbidden; a token may act on itself. Every refusal writes nothing.
func TestActingOnATokenNeedsCover(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name        string
		caller      []string // the acting token's scopes
		callerOwner string
		target      []string
		targetOwner string
		self        bool  // the caller acts on itself
		want        error // for every action
	}{
		{name: "write covers a read token", caller: []string{"tokens:manage"}, callerOwner: "acme", target: []string{"tokens:read"}, targetOwner: "acme"},
		{name: "write does not cover an admin token", caller: []string{"tokens:manage"}, callerOwner: "acme", target: []string{"tokens:admin"}, targetOwner: "acme", want: manage.ErrForbidden},
		{name: "write does not cover a scope it lacks", caller: []string{"tokens:manage"}, callerOwner: "acme", target: []string{"orders:read"}, targetOwner: "acme", want: manage.ErrForbidden},
		{name: "read does not cover a write token", caller: []string{"tokens:read"}, callerOwner: "acme", target: []string{"tokens:manage"}, targetOwner: "acme", want: manage.ErrForbidden},
		{name: "an API scope covers its own", caller: []string{"tokens:manage", "orders:read"}, callerOwner: "acme", target: []string{"orders:read"}, targetOwner: "acme"},
		{name: "admin covers an admin token", caller: []string{"tokens:admin"}, callerOwner: "acme", target: []string{"tokens:admin", "orders:full"}, targetOwner: "acme"},
		{name: "admin acts on another owner", caller: []string{"tokens:admin"}, callerOwner: "acme", target: []string{"tokens:manage", "reports:read"}, targetOwner: "beta"},
		{name: "another owner's token is not found", caller: []string{"tokens:manage", "orders:read"}, callerOwner: "acme", target: []string{"tokens:read"}, targetOwner: "beta", want: manage.ErrNotFound},
		{name: "another owner's uncovered token is still not found", caller: []string{"tokens:read"}, callerOwner: "acme", target: []string{"tokens:admin"}, targetOwner: "beta", want: manage.ErrNotFound},
		{name: "a token acts on itself", caller: []string{"tokens:manage"}, callerOwner: "acme", self: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := newRig(t, nil)
			caller := r.as(r.mint(ops, manage.IssueRequest{Owner: c.callerOwner, Name: "caller", Scopes: c.caller}))
			id := caller.TokenID
			if !c.self {
				id = r.mint(ops, manage.IssueRequest{Owner: c.targetOwner, Name: "target", Scopes: c.target}).Token.ID
			}
			for n, a := range actions {
				before := r.snapshot()
				err := a.run(r, caller, id, n)
				outcome(t, a.name, err, c.want)
				if c.want != nil {
					r.unchangedSince(before, a.name)
				}
			}
			final := r.record(id)
			if c.want == nil && final.Status != lifecycle.StatusRevoked {
				t.Errorf("after every action the target is %s, want revoked", final.Status)
			}
			if c.want != nil && (final.Status != lifecycle.StatusActive || final.Version != 1) {
				t.Errorf("after refusals the target is %s at version %d, want active at 1", final.Status, final.Version)
			}
		})
	}
}

// Reading follows visibility: a caller sees its owner's tokens, an admin
// any owner's; another owner's token, a malformed id and an unknown id all
// read as not found.
func TestReadingFollowsVisibility(t *testing.T) {
	t.Parallel()
	r := newRig(t, nil)
	mine := r.mint(ops, manage.IssueRequest{Owner: "acme", Name: "mine", Scopes: []string{"tokens:admin"}})
	theirs := r.mint(ops, manage.IssueRequest{Owner: "beta", Name: "theirs", Scopes: []string{"tokens:read"}})
	reader := r.as(r.mint(ops, manage.IssueRequest{Owner: "acme", Name: "reader", Scopes: []string{"tokens:read"}}))
	admin := r.as(mine)
	cases := []struct {
		name   string
		caller manage.Caller
		id     string
		want   error
	}{
		{"own owner's token, even one it does not cover", reader, mine.Token.ID, nil},
		{"another owner's token", reader, theirs.Token.ID, manage.ErrNotFound},
		{"admin reads another owner's token", admin, theirs.Token.ID, nil},
		{"an unknown id", admin, "0000000000000000", manage.ErrNotFound},
		{"a malformed id", admin, "not-an-id", manage.ErrNotFound},
	}
	for _, c := range cases {
		_, err := r.svc.Get(r.ctx, c.caller, c.id)
		outcome(t, c.name+": get", err, c.want)
		_, _, err = r.svc.Audit(r.ctx, c.caller, c.id, 10, "")
		outcome(t, c.name+": audit", err, c.want)
		_, _, err = r.svc.Usage(r.ctx, c.caller, c.id, 10, "")
		outcome(t, c.name+": usage", err, c.want)
	}
	lists := []struct {
		name   string
		caller manage.Caller
		owner  string
		want   error
	}{
		{"own owner", reader, "", nil},
		{"own owner by name", reader, "acme", nil},
		{"another owner", reader, "beta", manage.ErrForbidden},
		{"admin lists another owner", admin, "beta", nil},
		{"admin names a bad owner", admin, "no spaces", manage.ErrInvalid},
	}
	for _, c := range lists {
		got, _, err := r.svc.List(r.ctx, c.caller, manage.ListRequest{Owner: c.owner})
		outcome(t, "list "+c.name, err, c.want)
		for _, tok := range got {
			if want := c.owner; want != "" && tok.Owner != want || want == "" && tok.Owner != c.caller.Owner {
				t.Errorf("list %s: holds %s's token %s", c.name, tok.Owner, tok.ID)
			}
		}
	}
}
