package manage_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/keymint/keymint/shared/audit"
	"github.com/keymint/keymint/shared/manage"
	"github.com/keymint/keymint/shared/store"
)

// Blocked addresses are stored in one canonical form (IPv4-mapped IPv6 as
// IPv4), sorted; blocking twice or unblocking what is not blocked changes
// nothing; junk and zoned addresses are refused.
func TestBlockedIPs(t *testing.T) {
	t.Parallel()
	r := newRig(t, nil)
	id := r.mint(ops, manage.IssueRequest{Owner: "acme", Name: "ip", Scopes: []string{"tokens:read"}}).Token.ID
	steps := []struct {
		name        string
		block       bool
		ip          string
		want        error
		wantBlocked []string
		wantVersion int64
	}{
		{"block v4", true, "198.51.100.7", nil, []string{"198.51.100.7"}, 2},
		{"block it again", true, "198.51.100.7", nil, []string{"198.51.100.7"}, 2},
		{"block it as mapped v6", true, "::ffff:198.51.100.7", nil, []string{"198.51.100.7"}, 2},
		{"block v6, not canonical", true, "2001:DB8:0::9", nil, []string{"198.51.100.7", "2001:db8::9"}, 3},
		{"block v4, sorted in", true, "10.0.0.1", nil, []string{"10.0.0.1", "198.51.100.7", "2001:db8::9"}, 4},
		{"block junk", true, "not-an-ip", manage.ErrInvalid, []string{"10.0.0.1", "198.51.100.7", "2001:db8::9"}, 4},
		{"block a CIDR", true, "10.0.0.0/8", manage.ErrInvalid, []string{"10.0.0.1", "198.51.100.7", "2001:db8::9"}, 4},
		{"block a zoned address", true, "fe80::1%eth0", manage.ErrInvalid, []string{"10.0.0.1", "198.51.100.7", "2001:db8::9"}, 4},
		{"unblock as mapped v6", false, "::ffff:198.51.100.7", nil, []string{"10.0.0.1", "2001:db8::9"}, 5},
		{"unblock what is not blocked", false, "192.0.2.1", nil, []string{"10.0.0.1", "2001:db8::9"}, 5},
	}
	for _, s := range steps {
		var err error
		if s.block {
			_, err = r.svc.BlockIP(r.ctx, ops, id, s.ip)
		} else {
			_, err = r.svc.UnblockIP(r.ctx, ops, id, s.ip)
		}
		outcome(t, s.name, err, s.want)
		got := r.record(id)
		if !slices.Equal(got.BlockedIPs, s.wantBlocked) || got.Version != s.wantVersion {
			t.Errorf("after %s: blocked %v at version %d, want %v at %d", s.name, got.BlockedIPs, got.Version, s.wantBlocked, s.wantVersion)
		}
	}
}

// A token holds at most manage.MaxBlockedIPs blocked addresses, which
// keeps its item far below DynamoDB's item size limit.
func TestBlockedIPsBounded(t *testing.T) {
	t.Parallel()
	r := newRig(t, nil)
	id := r.mint(ops, manage.IssueRequest{Owner: "acme", Name: "ip", Scopes: []string{"tokens:read"}}).Token.ID
	// Filled in one write: blocking them one by one would take 500 round trips.
	before := r.record(id)
	full := before.Clone()
	for i := range manage.MaxBlockedIPs {
		full.BlockedIPs = append(full.BlockedIPs, fmt.Sprintf("10.0.%d.%d", i/256, i%256))
	}
	slices.Sort(full.BlockedIPs)
	ev := &audit.Event{TokenID: id, At: r.a.Clock.Now(), Action: audit.BlockIP, Actor: "test"}
	if err := r.a.Store.Apply(r.ctx, r.a.Clock.Now(), store.Change{Before: before, After: full, Event: ev}); err != nil {
		t.Fatal(err)
	}
	snap := r.snapshot()
	_, err := r.svc.BlockIP(r.ctx, ops, id, "192.0.2.1")
	outcome(t, "one more", err, manage.ErrInvalid)
	r.unchangedSince(snap, "a block past the bound")
	// One already blocked is still a no-op, not a refusal.
	_, err = r.svc.BlockIP(r.ctx, ops, id, "10.0.0.1")
	outcome(t, "one already blocked", err, nil)
}
