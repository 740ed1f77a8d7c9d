package manage_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/keymint/keymint/shared/lifecycle"
	"github.com/keymint/keymint/shared/manage"
)

// Deactivate switches a token off until activated, repeating either is a
// no-op without a write, and activate restarts the inactivity clock; an
// expired or revoked token stays off.
func TestDeactivateActivate(t *testing.T) {
	t.Parallel()
	r := newRig(t, nil)
	tok := r.mint(ops, manage.IssueRequest{Owner: "acme", Name: "sw", Scopes: []string{"tokens:read"}, ExpiresInDays: ptr(40)})
	id := tok.Token.ID
	status := func() string { return r.svc.Rules().Status(r.record(id).Times(), r.a.Clock.Now()) }
	steps := []struct {
		name        string
		run         func() error
		want        error
		wantStatus  string
		wantVersion int64
	}{
		{"deactivate", func() error { _, err := r.svc.Deactivate(r.ctx, ops, id); return err }, nil, lifecycle.StatusInactive, 2},
		{"deactivate again", func() error { _, err := r.svc.Deactivate(r.ctx, ops, id); return err }, nil, lifecycle.StatusInactive, 2},
		{"activate", func() error { _, err := r.svc.Activate(r.ctx, ops, id); return err }, nil, lifecycle.StatusActive, 3},
		{"activate again", func() error { _, err := r.svc.Activate(r.ctx, ops, id); return err }, nil, lifecycle.StatusActive, 3},
		// 31 days unused: inactive by time, before any sweep wrote it down.
		{"idle past INACTIVE_AFTER_DAYS", func() error { r.a.Clock.Advance(31 * 24 * time.Hour); return nil }, nil, lifecycle.StatusInactive, 3},
		{"activate an idle token", func() error { _, err := r.svc.Activate(r.ctx, ops, id); return err }, nil, lifecycle.StatusActive, 4},
		{"deactivate before expiry", func() error { _, err := r.svc.Deactivate(r.ctx, ops, id); return err }, nil, lifecycle.StatusInactive, 5},
		{"expire", func() error { r.a.Clock.Advance(10 * 24 * time.Hour); return nil }, nil, lifecycle.StatusExpired, 5},
		{"activate an expired token", func() error { _, err := r.svc.Activate(r.ctx, ops, id); return err }, manage.ErrConflict, lifecycle.StatusExpired, 5},
	}
	for _, s := range steps {
		outcome(t, s.name, s.run(), s.want)
		if got, v := status(), r.record(id).Version; got != s.wantStatus || v != s.wantVersion {
			t.Fatalf("after %s: %s at version %d, want %s at %d", s.name, got, v, s.wantStatus, s.wantVersion)
		}
	}
	if at := r.record(id).ActivatedAt; at != r.start.Add(31*24*time.Hour).Unix() {
		t.Errorf("activatedAt %d, want the last activation", at)
	}
}

// A bulk request applies each id on its own with every rule of the single
// route: results keep the request's order, one bad id does not hold back
// the others, and a repeated id is changed once and answered twice.
func TestBulkOutcomesPerID(t *testing.T) {
	t.Parallel()
	r := newRig(t, nil)
	caller := r.as(r.mint(ops, manage.IssueRequest{Owner: "acme", Name: "caller", Scopes: []string{"tokens:manage"}}))
	a := r.mint(ops, manage.IssueRequest{Owner: "acme", Name: "a", Scopes: []string{"tokens:read"}}).Token.ID
	gone := r.mint(ops, manage.IssueRequest{Owner: "acme", Name: "gone", Scopes: []string{"tokens:read"}}).Token.ID
	adminTok := r.mint(ops, manage.IssueRequest{Owner: "acme", Name: "admin", Scopes: []string{"tokens:admin"}}).Token.ID
	theirs := r.mint(ops, manage.IssueRequest{Owner: "beta", Name: "b", Scopes: []string{"tokens:read"}}).Token.ID
	if _, err := r.svc.Revoke(r.ctx, ops, gone); err != nil {
		t.Fatal(err)
	}
	ids := []string{a, gone, adminTok, theirs, "0000000000000000", "junk", a}
	type op struct {
		name string
		run  func([]string) ([]manage.BulkResult, error)
		want []error
		// wantStatus is what a's stored status is afterwards.
		wantStatus string
	}
	bulk := []op{
		{"deactivate", func(ids []string) ([]manage.BulkResult, error) { return r.svc.DeactivateMany(r.ctx, caller, ids) },
			[]error{nil, manage.ErrConflict, manage.ErrForbidden, manage.ErrNotFound, manage.ErrNotFound, manage.ErrNotFound, nil}, lifecycle.StatusInactive},
		{"activate", func(ids []string) ([]manage.BulkResult, error) { return r.svc.ActivateMany(r.ctx, caller, ids) },
			[]error{nil, manage.ErrConflict, manage.ErrForbidden, manage.ErrNotFound, manage.ErrNotFound, manage.ErrNotFound, nil}, lifecycle.StatusActive},
		{"revoke", func(ids []string) ([]manage.BulkResult, error) { return r.svc.RevokeMany(r.ctx, caller, ids) },
			[]error{nil, nil, manage.ErrForbidden, manage.ErrNotFound, manage.ErrNotFound, manage.ErrNotFound, nil}, lifecycle.StatusRevoked},
	}
	for _, o := range bulk {
		got, err := o.run(ids)
		if err != nil || len(got) != len(ids) {
			t.Fatalf("%s: %d results, error %v", o.name, len(got), err)
		}
		for i, res := range got {
			if res.ID != ids[i] {
				t.Errorf("%s: result %d is for %s, want %s", o.name, i, res.ID, ids[i])
			}
			outcome(t, o.name+" "+res.ID, res.Err, o.want[i])
			if res.Err == nil && res.Token == nil {
				t.Errorf("%s %s: success without the token", o.name, res.ID)
			}
		}
		if st := r.record(a).Status; st != o.wantStatus {
			t.Errorf("after bulk %s: a is %s, want %s", o.name, st, o.wantStatus)
		}
		if st := r.record(adminTok).Status; st != lifecycle.StatusActive {
			t.Errorf("after bulk %s: the uncovered admin token is %s", o.name, st)
		}
	}
	// The request's own bounds, refused whole.
	tooMany := make([]string, manage.MaxBulk+1)
	for i := range tooMany {
		tooMany[i] = a
	}
	for _, bad := range [][]string{nil, tooMany} {
		before := r.snapshot()
		_, err := r.svc.RevokeMany(r.ctx, caller, bad)
		outcome(t, fmt.Sprintf("a bulk request of %d ids", len(bad)), err, manage.ErrInvalid)
		r.unchangedSince(before, "a refused bulk request")
	}
	// MaxBulk ids is still one request.
	full := make([]string, manage.MaxBulk)
	for i := range full {
		full[i] = gone
	}
	if got, err := r.svc.RevokeMany(r.ctx, caller, full); err != nil || len(got) != manage.MaxBulk {
		t.Errorf("%d ids: %d results, %v", manage.MaxBulk, len(got), err)
	}
}
