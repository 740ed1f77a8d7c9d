package manage

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"

	"github.com/keymint/keymint/shared/store"
)

// MaxIdempotencyKey bounds the Idempotency-Key header; a UUID needs 36.
const MaxIdempotencyKey = 255

// claimFor names the claim a create takes for key: scoped to the caller, so
// one caller's keys never answer another's requests. The fingerprint covers
// the operation and every input that shapes the token.
func (s *Service) claimFor(caller Caller, key string, parts ...any) (*store.Claim, error) {
	if key == "" {
		return nil, nil
	}
	if len(key) > MaxIdempotencyKey {
		return nil, invalid("Idempotency-Key", "must be at most %d characters", MaxIdempotencyKey)
	}
	for i := 0; i < len(key); i++ {
		if key[i] < 0x21 || key[i] > 0x7e {
			return nil, invalid("Idempotency-Key", "must be printable ASCII without spaces")
		}
	}
	raw, err := json.Marshal(parts)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(raw)
	return store.NewClaim(caller.scopeKey(), key, hex.EncodeToString(sum[:])), nil
}

// replayed looks the claim up. A live claim answers the request instead of
// a new token: with the token it made (a *Replayed error, so no caller can
// mistake it for an issue with a secret) or ErrIdempotencyMismatch. nil
// means the key is free.
func (s *Service) replayed(ctx context.Context, claim *store.Claim) error {
	if claim == nil {
		return nil
	}
	found, err := s.store.FindClaim(ctx, claim, s.now())
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if found.Fingerprint != claim.Fingerprint {
		return ErrIdempotencyMismatch
	}
	t, err := s.store.Record(ctx, found.TokenID, store.Consistent)
	if errors.Is(err, store.ErrNotFound) {
		// Deleted since (the sweeper's backstop): nothing left to answer with.
		return conflict("the token this key created no longer exists; use a new key")
	}
	if err != nil {
		return err
	}
	return &Replayed{Token: t}
}
