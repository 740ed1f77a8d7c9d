package manage_test

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/keymint/keymint/shared/lifecycle"
	"github.com/keymint/keymint/shared/manage"
)

// Regenerate keeps the id and settings, gives a new secret and a fresh
// lifetime of the original length, and keeps the previous secret for the
// grace asked (0 to lifecycle.MaxGrace), never past its own expiry.
func TestRegenerateGrace(t *testing.T) {
	t.Parallel()
	maxGrace := int64(lifecycle.MaxGrace / time.Second)
	cases := []struct {
		name    string
		grace   int64
		elapsed time.Duration // after issue, before regenerating
		want    error
		// wantUntil is prevValidUntil after issue: 0 none.
		wantUntil time.Duration
	}{
		{name: "no grace", grace: 0},
		{name: "ten minutes", grace: 600, wantUntil: 600 * time.Second},
		{name: "the maximum", grace: maxGrace, wantUntil: lifecycle.MaxGrace},
		{name: "one second over the maximum", grace: maxGrace + 1, want: manage.ErrInvalid},
		{name: "negative", grace: -1, want: manage.ErrInvalid},
		{name: "huge (no overflow)", grace: 1 << 62, want: manage.ErrInvalid},
		{name: "ends at the old expiry", grace: maxGrace, elapsed: 9 * 24 * time.Hour, wantUntil: 10 * 24 * time.Hour},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := newRig(t, nil)
			old := r.mint(ops, manage.IssueRequest{Owner: "acme", Name: "roll", Description: "keep me", Scopes: []string{"tokens:read"},
				ExpiresInDays: ptr(10), AllowedCIDRs: []string{"10.0.0.0/8"}})
			r.a.Clock.Advance(c.elapsed)
			before := r.snapshot()
			got, err := r.svc.Regenerate(r.ctx, ops, old.Token.ID, c.grace)
			outcome(t, "regenerate", err, c.want)
			if c.want != nil {
				var fe *manage.FieldError
				if !errors.As(err, &fe) || fe.Field != "graceSeconds" {
					t.Errorf("error %v, want a FieldError on graceSeconds", err)
				}
				r.unchangedSince(before, "a refused regenerate")
				return
			}
			if err != nil {
				return
			}
			stored := r.record(old.Token.ID)
			now := r.start.Add(c.elapsed)
			if got.Plaintext == "" || got.Plaintext == old.Plaintext || bytes.Equal(stored.SecretHash, old.Token.SecretHash) {
				t.Error("regenerate kept the old secret")
			}
			if stored.ID != old.Token.ID || stored.Description != "keep me" || len(stored.AllowedCIDRs) != 1 || stored.Name != "roll" {
				t.Errorf("settings changed: %+v", stored)
			}
			if stored.ExpiresAt != now.Add(10*24*time.Hour).Unix() {
				t.Errorf("expiresAt %d, want a fresh 10 days from %v", stored.ExpiresAt, now)
			}
			switch {
			case c.wantUntil == 0 && (stored.PrevSecretHash != nil || stored.PrevValidUntil != 0):
				t.Errorf("previous secret kept until %d without grace", stored.PrevValidUntil)
			case c.wantUntil != 0 && (!bytes.Equal(stored.PrevSecretHash, old.Token.SecretHash) || stored.PrevValidUntil != r.start.Add(c.wantUntil).Unix()):
				t.Errorf("previous secret kept until %d (is the old one: %v), want until %d",
					stored.PrevValidUntil, bytes.Equal(stored.PrevSecretHash, old.Token.SecretHash), r.start.Add(c.wantUntil).Unix())
			}
		})
	}
}

// A second regenerate replaces the grace secret: only the secret just
// replaced may linger, never an older one.
func TestRegenerateReplacesTheGraceSecret(t *testing.T) {
	t.Parallel()
	r := newRig(t, nil)
	tok := r.mint(ops, manage.IssueRequest{Owner: "acme", Name: "roll", Scopes: []string{"tokens:read"}})
	first, err := r.svc.Regenerate(r.ctx, ops, tok.Token.ID, 3600)
	if err != nil {
		t.Fatal(err)
	}
	second, err := r.svc.Regenerate(r.ctx, ops, tok.Token.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	stored := r.record(tok.Token.ID)
	if stored.PrevSecretHash != nil || !bytes.Equal(stored.SecretHash, second.Token.SecretHash) || bytes.Equal(stored.SecretHash, first.Token.SecretHash) {
		t.Errorf("after a regenerate without grace: prev %v, current is the second's %v", stored.PrevSecretHash != nil, bytes.Equal(stored.SecretHash, second.Token.SecretHash))
	}
}
