package manage_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/keymint/keymint/internal/testkit"
	"github.com/keymint/keymint/shared/lifecycle"
	"github.com/keymint/keymint/shared/manage"
	"github.com/keymint/keymint/shared/store"
)

// Expiry is final: no change makes an expired token's secret live again.
// Its expiry cannot be edited, it cannot be activated, a copy is a new
// token that leaves it expired, and regenerate (where the deployment
// allows it) gives a new secret with no grace for the old one.
func TestExpiryIsFinal(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		env  testkit.Env
		run  func(r *rig, id string) error
		want error
		// wantNewSecret: the token answers with a new secret, and the
		// expired one is neither its secret nor its grace secret.
		wantNewSecret bool
	}{
		{name: "edit its expiry", run: func(r *rig, id string) error {
			_, err := r.svc.Edit(r.ctx, ops, id, manage.EditRequest{ExpiresAt: ptr(r.start.Add(30 * 24 * time.Hour))})
			return err
		}, want: manage.ErrConflict},
		{name: "activate", run: func(r *rig, id string) error {
			_, err := r.svc.Activate(r.ctx, ops, id)
			return err
		}, want: manage.ErrConflict},
		{name: "edit its description", run: func(r *rig, id string) error {
			_, err := r.svc.Edit(r.ctx, ops, id, manage.EditRequest{Description: ptr("still expired")})
			return err
		}},
		{name: "copy", run: func(r *rig, id string) error {
			_, err := r.svc.Copy(r.ctx, ops, id, manage.CopyRequest{Name: "fresh"})
			return err
		}},
		{name: "regenerate with grace", run: func(r *rig, id string) error {
			_, err := r.svc.Regenerate(r.ctx, ops, id, int64(lifecycle.MaxGrace/time.Second))
			return err
		}, wantNewSecret: true},
		{name: "regenerate where the deployment forbids it", env: testkit.Env{"REGENERATE_EXPIRED": "false"}, run: func(r *rig, id string) error {
			_, err := r.svc.Regenerate(r.ctx, ops, id, 0)
			return err
		}, want: manage.ErrConflict},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := newRig(t, c.env)
			tok := r.mint(ops, manage.IssueRequest{Owner: "acme", Name: "short", Scopes: []string{"tokens:read"}, ExpiresInDays: ptr(1)})
			r.a.Clock.Advance(25 * time.Hour)
			before := r.snapshot()
			outcome(t, c.name, c.run(r, tok.Token.ID), c.want)
			if c.want != nil {
				r.unchangedSince(before, c.name)
			}
			got := r.record(tok.Token.ID)
			oldSecretLive := bytes.Equal(got.SecretHash, tok.Token.SecretHash) || bytes.Equal(got.PrevSecretHash, tok.Token.SecretHash)
			status := r.svc.Rules().Status(got.Times(), r.a.Clock.Now())
			switch {
			case c.wantNewSecret && (oldSecretLive || got.PrevValidUntil != 0 || status != lifecycle.StatusActive):
				t.Errorf("after %s: status %s, old secret kept %v, prevValidUntil %d; want a new active secret and no grace", c.name, status, oldSecretLive, got.PrevValidUntil)
			case !c.wantNewSecret && (status != lifecycle.StatusExpired || got.ExpiresAt != tok.Token.ExpiresAt):
				t.Errorf("after %s: status %s, expiresAt %d; want expired at %d", c.name, status, got.ExpiresAt, tok.Token.ExpiresAt)
			}
		})
	}
}

// Revoked is final: every change but revoke is a conflict that writes
// nothing, and revoking again succeeds without a write (a retry after a
// fault is safe).
func TestRevokedIsFinal(t *testing.T) {
	t.Parallel()
	r := newRig(t, nil)
	tok := r.mint(ops, manage.IssueRequest{Owner: "acme", Name: "gone", Scopes: []string{"tokens:read"}})
	if _, err := r.svc.Regenerate(r.ctx, ops, tok.Token.ID, 3600); err != nil {
		t.Fatal(err)
	}
	revoked, err := r.svc.Revoke(r.ctx, ops, tok.Token.ID)
	if err != nil {
		t.Fatal(err)
	}
	if revoked.Status != lifecycle.StatusRevoked || revoked.RevokedAt != r.start.Unix() || revoked.PrevSecretHash != nil || revoked.PrevValidUntil != 0 {
		t.Fatalf("revoked: status %s at %d, grace secret %v until %d; want revoked now with no grace secret", revoked.Status, revoked.RevokedAt, revoked.PrevSecretHash != nil, revoked.PrevValidUntil)
	}
	cases := []struct {
		name string
		run  func() (*store.Record, error)
		want error
	}{
		{"edit", func() (*store.Record, error) {
			return r.svc.Edit(r.ctx, ops, tok.Token.ID, manage.EditRequest{Description: ptr("back")})
		}, manage.ErrConflict},
		{"regenerate", func() (*store.Record, error) {
			iss, err := r.svc.Regenerate(r.ctx, ops, tok.Token.ID, 0)
			if iss != nil {
				return iss.Token, err
			}
			return nil, err
		}, manage.ErrConflict},
		{"activate", func() (*store.Record, error) { return r.svc.Activate(r.ctx, ops, tok.Token.ID) }, manage.ErrConflict},
		{"deactivate", func() (*store.Record, error) { return r.svc.Deactivate(r.ctx, ops, tok.Token.ID) }, manage.ErrConflict},
		{"block an address", func() (*store.Record, error) { return r.svc.BlockIP(r.ctx, ops, tok.Token.ID, "192.0.2.1") }, manage.ErrConflict},
		{"revoke again", func() (*store.Record, error) { return r.svc.Revoke(r.ctx, ops, tok.Token.ID) }, nil},
	}
	for _, c := range cases {
		before := r.snapshot()
		got, err := c.run()
		outcome(t, c.name, err, c.want)
		r.unchangedSince(before, c.name)
		if err == nil && (got.Status != lifecycle.StatusRevoked || got.Version != revoked.Version) {
			t.Errorf("%s: answered %s at version %d, want revoked at %d", c.name, got.Status, got.Version, revoked.Version)
		}
	}
	// A copy of a revoked token is a new token; the source stays revoked.
	cp, err := r.svc.Copy(r.ctx, ops, tok.Token.ID, manage.CopyRequest{Name: "gone"})
	if err != nil {
		t.Fatal(err)
	}
	if r.record(tok.Token.ID).Status != lifecycle.StatusRevoked || cp.Token.ID == tok.Token.ID {
		t.Error("a copy revived its revoked source")
	}
}
