package manage_test

import (
	"testing"
	"time"

	"github.com/keymint/keymint/shared/manage"
	"github.com/keymint/keymint/shared/store"
)

// deadline is far enough for marking a test owner's few tokens.
func deadline() time.Time { return time.Now().Add(time.Minute) }

// Owners are admins' business: every owner operation needs tokens:admin,
// and bad input is refused; neither writes anything.
func TestOwnerOperationsNeedAdmin(t *testing.T) {
	t.Parallel()
	r := newRig(t, nil)
	writer := r.as(r.mint(ops, manage.IssueRequest{Owner: "acme", Name: "writer", Scopes: []string{"tokens:manage"}}))
	admin := r.as(r.mint(ops, manage.IssueRequest{Owner: "acme", Name: "admin", Scopes: []string{"tokens:admin"}}))
	r.mint(ops, manage.IssueRequest{Owner: "beta", Name: "b", Scopes: []string{"tokens:read"}})
	cases := []struct {
		name string
		run  func() error
		want error
	}{
		{"writer disables an owner", func() error {
			_, err := r.svc.SetOwnerStatus(r.ctx, writer, "beta", store.OwnerDisabled, deadline())
			return err
		}, manage.ErrForbidden},
		{"writer sets a policy", func() error {
			_, err := r.svc.SetOwnerPolicy(r.ctx, writer, "beta", manage.OwnerPolicy{SingleToken: ptr(true)}, deadline())
			return err
		}, manage.ErrForbidden},
		{"writer reads an owner", func() error { _, err := r.svc.OwnerInfo(r.ctx, writer, "acme"); return err }, manage.ErrForbidden},
		{"writer lists owners", func() error { _, _, err := r.svc.Owners(r.ctx, writer, 10, ""); return err }, manage.ErrForbidden},
		{"writer reads an owner's audit", func() error { _, _, err := r.svc.OwnerAudit(r.ctx, writer, "acme", 10, ""); return err }, manage.ErrForbidden},
		{"a status that is not one", func() error {
			_, err := r.svc.SetOwnerStatus(r.ctx, admin, "beta", "sleepy", deadline())
			return err
		}, manage.ErrInvalid},
		{"a malformed owner", func() error {
			_, err := r.svc.SetOwnerStatus(r.ctx, admin, "no spaces", store.OwnerDisabled, deadline())
			return err
		}, manage.ErrInvalid},
		{"an owner never seen", func() error { _, err := r.svc.OwnerInfo(r.ctx, admin, "nobody"); return err }, manage.ErrOwnerNotFound},
		{"admin reads an owner", func() error { _, err := r.svc.OwnerInfo(r.ctx, admin, "beta"); return err }, nil},
	}
	for _, c := range cases {
		before := r.snapshot()
		outcome(t, c.name, c.run(), c.want)
		r.unchangedSince(before, c.name)
	}
}

// A disabled owner's tokens all carry the mark validate refuses by, it gets
// no new token (issue or copy) until re-enabled, and its tokens can still
// be revoked. Other owners are untouched.
func TestDisabledOwnerGetsNoNewTokens(t *testing.T) {
	t.Parallel()
	r := newRig(t, nil)
	admin := r.as(r.mint(ops, manage.IssueRequest{Owner: "root", Name: "admin", Scopes: []string{"tokens:admin"}}))
	a := r.mint(ops, manage.IssueRequest{Owner: "carol", Name: "a", Scopes: []string{"tokens:read"}}).Token.ID
	b := r.mint(ops, manage.IssueRequest{Owner: "carol", Name: "b", Scopes: []string{"tokens:read"}}).Token.ID
	dave := r.mint(ops, manage.IssueRequest{Owner: "dave", Name: "a", Scopes: []string{"tokens:read"}}).Token.ID

	res, err := r.svc.SetOwnerStatus(r.ctx, admin, "carol", store.OwnerDisabled, deadline())
	if err != nil || res.Marked != 2 || !res.Complete || res.Status != store.OwnerDisabled {
		t.Fatalf("disable: %+v, %v", res, err)
	}
	for id, want := range map[string]bool{a: true, b: true, dave: false} {
		if got := r.record(id).OwnerDisabled; got != want {
			t.Errorf("token %s: ownerDisabled %v, want %v", id, got, want)
		}
	}
	refused := []struct {
		name string
		run  func() error
	}{
		{"admin issues for it", func() error {
			_, err := r.svc.Issue(r.ctx, admin, manage.IssueRequest{Owner: "carol", Name: "new", Scopes: []string{"tokens:read"}})
			return err
		}},
		{"ops issues for it", func() error {
			_, err := r.svc.Issue(r.ctx, ops, manage.IssueRequest{Owner: "carol", Name: "new", Scopes: []string{"tokens:read"}})
			return err
		}},
		{"admin copies its token", func() error {
			_, err := r.svc.Copy(r.ctx, admin, a, manage.CopyRequest{Name: "new"})
			return err
		}},
	}
	for _, c := range refused {
		before := r.snapshot()
		outcome(t, c.name, c.run(), manage.ErrOwnerDisabled)
		r.unchangedSince(before, c.name)
		if h := r.holder("carol", "new"); h != "" {
			t.Errorf("%s: the name is reserved for %s", c.name, h)
		}
	}
	if _, err := r.svc.Revoke(r.ctx, admin, b); err != nil {
		t.Errorf("revoking a disabled owner's token: %v", err)
	}
	// Disabling again resumes marking; there is nothing left to mark.
	if res, err := r.svc.SetOwnerStatus(r.ctx, admin, "carol", store.OwnerDisabled, deadline()); err != nil || res.Marked != 0 || !res.Complete {
		t.Errorf("disable again: %+v, %v", res, err)
	}

	if _, err := r.svc.SetOwnerStatus(r.ctx, admin, "carol", store.OwnerActive, deadline()); err != nil {
		t.Fatal(err)
	}
	if r.record(a).OwnerDisabled {
		t.Error("re-enabled owner's token still marked")
	}
	if _, err := r.svc.Issue(r.ctx, admin, manage.IssueRequest{Owner: "carol", Name: "new", Scopes: []string{"tokens:read"}}); err != nil {
		t.Errorf("issuing for a re-enabled owner: %v", err)
	}
}

// The lockout rule: nobody may disable its own owner, and no one (not even
// ops) the last owner holding a usable admin token; an admin token that is
// deactivated, expired, revoked or of a disabled owner is not usable.
func TestOwnerLockout(t *testing.T) {
	t.Parallel()
	type setup func(r *rig) // after root's admin token exists
	otherAdmin := func(r *rig) string {
		return r.mint(ops, manage.IssueRequest{Owner: "ops2", Name: "admin", Scopes: []string{"tokens:admin"}, ExpiresInDays: ptr(1)}).Token.ID
	}
	cases := []struct {
		name   string
		setup  setup
		caller func(root manage.Caller) manage.Caller
		owner  string
		want   error
	}{
		{"an admin disables its own owner", func(r *rig) { otherAdmin(r) }, func(root manage.Caller) manage.Caller { return root }, "root", manage.ErrLockout},
		{"ops disables the last admin owner", nil, func(manage.Caller) manage.Caller { return ops }, "root", manage.ErrLockout},
		{"ops disables an admin owner while another has one", func(r *rig) { otherAdmin(r) }, func(manage.Caller) manage.Caller { return ops }, "root", nil},
		{"the other admin token is deactivated", func(r *rig) {
			if _, err := r.svc.Deactivate(r.ctx, ops, otherAdmin(r)); err != nil {
				r.t.Fatal(err)
			}
		}, func(manage.Caller) manage.Caller { return ops }, "root", manage.ErrLockout},
		{"the other admin token is revoked", func(r *rig) {
			if _, err := r.svc.Revoke(r.ctx, ops, otherAdmin(r)); err != nil {
				r.t.Fatal(err)
			}
		}, func(manage.Caller) manage.Caller { return ops }, "root", manage.ErrLockout},
		{"the other admin token is expired", func(r *rig) {
			otherAdmin(r)
			r.a.Clock.Advance(25 * time.Hour)
		}, func(manage.Caller) manage.Caller { return ops }, "root", manage.ErrLockout},
		{"the other admin owner is disabled", func(r *rig) {
			otherAdmin(r)
			if _, err := r.svc.SetOwnerStatus(r.ctx, ops, "ops2", store.OwnerDisabled, deadline()); err != nil {
				r.t.Fatal(err)
			}
		}, func(manage.Caller) manage.Caller { return ops }, "root", manage.ErrLockout},
		{"an admin disables an owner without admin tokens", func(r *rig) {
			r.mint(ops, manage.IssueRequest{Owner: "carol", Name: "c", Scopes: []string{"tokens:manage"}})
		}, func(root manage.Caller) manage.Caller { return root }, "carol", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := newRig(t, nil)
			root := r.as(r.mint(ops, manage.IssueRequest{Owner: "root", Name: "admin", Scopes: []string{"tokens:admin"}, ExpiresInDays: ptr(30)}))
			if c.setup != nil {
				c.setup(r)
			}
			before := r.snapshot()
			_, err := r.svc.SetOwnerStatus(r.ctx, c.caller(root), c.owner, store.OwnerDisabled, deadline())
			outcome(t, c.name, err, c.want)
			o, rerr := r.a.Store.Owner(r.ctx, c.owner)
			if rerr != nil {
				t.Fatal(rerr)
			}
			if c.want != nil {
				r.unchangedSince(before, c.name)
			}
			if disabled := o.Status == store.OwnerDisabled; disabled != (c.want == nil) {
				t.Errorf("owner %s is %s after %v", c.owner, o.Status, err)
			}
		})
	}
}
