package manage

import (
	"context"
	"time"

	"github.com/keymint/keymint/shared/audit"
	"github.com/keymint/keymint/shared/lifecycle"
	"github.com/keymint/keymint/shared/store"
)

// Regenerate gives the token a new secret, same id and settings, and a fresh
// lifetime of its original length. With grace > 0 the previous secret keeps
// working until then, but never past its own expiry: expiry is final, so a
// grace period cannot revive an expired secret. It is strict: of two racing
// regenerates one wins and the other gets a conflict, so exactly one new
// secret is ever valid.
func (s *Service) Regenerate(ctx context.Context, caller Caller, id string, graceSeconds int64) (*Issued, error) {
	// Checked in seconds, before a Duration multiplication could overflow.
	if graceSeconds < 0 || graceSeconds > int64(lifecycle.MaxGrace/time.Second) {
		return nil, invalid("graceSeconds", "must be between 0 and %d", int64(lifecycle.MaxGrace/time.Second))
	}
	grace := time.Duration(graceSeconds) * time.Second
	var plaintext string
	t, err := s.mutate(ctx, caller, id, audit.Regenerate, conflictOnRace, func(t *store.Record, now time.Time) (map[string]any, error) {
		switch s.rules.Status(t.Times(), now) {
		case lifecycle.StatusRevoked:
			return nil, conflict("a revoked token cannot be regenerated")
		case lifecycle.StatusExpired:
			if !s.regenerateExpired {
				return nil, conflict("an expired token cannot be regenerated here; issue a new token")
			}
		}
		plain, keyID, sum, err := s.newSecret(ctx, t.ID)
		if err != nil {
			return nil, err
		}
		plaintext = plain.String()
		t.PrevSecretHash, t.PrevKeyID, t.PrevValidUntil = nil, "", 0
		if until := min(now.Add(grace).Unix(), t.ExpiresAt); grace > 0 && until > now.Unix() {
			t.PrevSecretHash, t.PrevKeyID, t.PrevValidUntil = t.SecretHash, t.KeyID, until
		}
		t.SecretHash, t.KeyID, t.SecretAt = sum, keyID, now.Unix()
		_, p, err := s.ownerPlan(ctx, t.Owner)
		if err != nil {
			return nil, err
		}
		lifetime, err := lifetimeWithin(p, min(t.LifetimeOrDefault(), int64(s.rules.MaxLifetime/time.Second)), false, "")
		if err != nil {
			return nil, err
		}
		t.ExpiresAt, t.ExpiredAt, t.NotifiedAt = now.Unix()+lifetime, 0, 0
		kept := int64(0) // the grace actually given, after clamping to expiry
		if t.PrevValidUntil != 0 {
			kept = t.PrevValidUntil - now.Unix()
		}
		return map[string]any{"graceSeconds": kept, "expiresAt": t.ExpiresAt}, nil
	})
	if err != nil {
		return nil, err
	}
	return &Issued{Token: t, Plaintext: plaintext}, nil
}
