package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/keymint/keymint/shared/audit"
	"github.com/keymint/keymint/shared/lifecycle"
	"github.com/keymint/keymint/shared/store"
)

// Owners are listed in name order, a page at a time, from the items their
// first tokens registered; a cursor that is not an owners cursor is bad
// input.
func TestOwnersListedAndCounted(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	f.create(t, tok("a1", "carol", "x"))
	f.create(t, tok("a2", "alice", "x"))
	f.create(t, tok("a3", "alice", "y"))
	revoked := tok("a4", "alice", "z")
	f.create(t, revoked)
	r := revoked.Clone()
	r.Status, r.RevokedAt = lifecycle.StatusRevoked, now.Unix()
	read, _ := f.st.Record(ctx, revoked.ID, store.Consistent)
	r.Version = read.Version
	if err := f.st.Apply(ctx, now, store.Change{Before: read, After: r, Event: ev(r, audit.Revoke)}); err != nil {
		t.Fatal(err)
	}
	page, next, err := f.st.Owners(ctx, 1, "")
	if err != nil || len(page) != 1 || page[0].Owner != "alice" || next == "" {
		t.Fatalf("first page %+v next %q err %v", page, next, err)
	}
	page, next, err = f.st.Owners(ctx, 1, next)
	if err != nil || len(page) != 1 || page[0].Owner != "carol" || page[0].Status != store.OwnerActive {
		t.Fatalf("second page %+v next %q err %v", page, next, err)
	}
	if _, _, err := f.st.Owners(ctx, 1, "eyJQSyI6IlRPS0VOI2EifQ"); !errors.Is(err, store.ErrBadCursor) {
		t.Fatalf("a foreign cursor: %v", err)
	}
	st, err := f.st.OwnerStats(ctx, "alice", now)
	if err != nil || st.Live != 2 {
		t.Fatalf("alice stats %+v %v, want 2 live (the revoked one not counted)", st, err)
	}
}

// With enablement required, a new token needs an owner an admin made
// active: not a missing one, not a pending one, not a disabled one. A
// request for enablement never overwrites what an admin set.
func TestEnablementInTheIssuingTransaction(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	st := f.st.WithEnablement(true)
	create := func(x *store.Record) error {
		return st.Apply(ctx, now, store.Change{After: x, Event: ev(x, audit.Issue)})
	}
	if err := create(tok("b1", "dave", "x")); !errors.Is(err, store.ErrOwnerDisabled) {
		t.Fatalf("owner never enabled: %v", err)
	}
	if err := st.RequestEnablement(ctx, "dave", now); err != nil {
		t.Fatal(err)
	}
	if o, _ := st.Owner(ctx, "dave"); o.Status != store.OwnerPending || !o.Found {
		t.Fatalf("dave %+v, want pending", o)
	}
	if err := create(tok("b2", "dave", "x")); !errors.Is(err, store.ErrOwnerDisabled) {
		t.Fatalf("pending owner: %v", err)
	}
	o, _ := st.Owner(ctx, "dave")
	if _, err := st.SetOwnerStatus(ctx, o, store.OwnerActive, audit.Event{At: now, Action: audit.OwnerStatus, Actor: "test"}); err != nil {
		t.Fatal(err)
	}
	if err := st.RequestEnablement(ctx, "dave", now); err != nil {
		t.Fatal(err)
	}
	if o, _ := st.Owner(ctx, "dave"); o.Status != store.OwnerActive {
		t.Fatalf("a later request overwrote the enablement: %+v", o)
	}
	if err := create(tok("b3", "dave", "x")); err != nil {
		t.Fatalf("enabled owner: %v", err)
	}
	// Without enablement, a pending owner may issue (the switch was turned
	// off), a disabled one may not.
	if err := f.st.Apply(ctx, now, store.Change{After: tok("b4", "dave", "y"), Event: ev(tok("b4", "dave", "y"), audit.Issue)}); err != nil {
		t.Fatalf("enablement off: %v", err)
	}
}
