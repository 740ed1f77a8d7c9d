package manage

import (
	"context"
	"sync"
	"time"

	"github.com/keymint/keymint/shared/audit"
	"github.com/keymint/keymint/shared/lifecycle"
	"github.com/keymint/keymint/shared/store"
)

// Regenerate gives the token a new secret, same id and settings, and a fresh
// lifetime of its original length. With grace > 0 the previous secret keeps
// working until then, so integrations can roll without downtime. It is
// strict: of two racing regenerates one wins and the other gets a conflict,
// so exactly one new secret is ever valid.
func (s *Service) Regenerate(ctx context.Context, caller Caller, id string, grace time.Duration) (*Issued, error) {
	if grace < 0 || grace > MaxGrace {
		return nil, invalid("graceSeconds", "must be between 0 and %d", int(MaxGrace/time.Second))
	}
	var plaintext string
	t, err := s.mutate(ctx, caller, id, audit.Regenerate, true, func(t *store.Token, now time.Time) (map[string]any, error) {
		if t.Status == lifecycle.StatusRevoked {
			return nil, conflict("a revoked token cannot be regenerated")
		}
		plain, keyID, sum, err := s.newSecret(ctx, t.ID)
		if err != nil {
			return nil, err
		}
		plaintext = plain.String()
		t.PrevSecretHash, t.PrevKeyID, t.PrevValidUntil = nil, "", 0
		if grace > 0 {
			t.PrevSecretHash, t.PrevKeyID, t.PrevValidUntil = t.SecretHash, t.KeyID, now.Add(grace).Unix()
		}
		t.SecretHash, t.KeyID = sum, keyID
		lifetime := t.Lifetime
		if lifetime <= 0 {
			lifetime = t.ExpiresAt - t.CreatedAt
		}
		lifetime = min(lifetime, int64(s.rules.MaxLifetime/time.Second))
		t.ExpiresAt, t.ExpiredAt, t.NotifiedAt = now.Unix()+lifetime, 0, 0
		return map[string]any{"graceSeconds": int64(grace / time.Second), "expiresAt": t.ExpiresAt}, nil
	})
	if err != nil {
		return nil, err
	}
	return &Issued{Token: t, Plaintext: plaintext}, nil
}

// Copy issues a new token with the source's scopes, description, lifetime
// length and CIDRs under a new name. The caller must hold the scopes, as
// for issue.
func (s *Service) Copy(ctx context.Context, caller Caller, id, name string) (*Issued, error) {
	if err := checkName(name); err != nil {
		return nil, err
	}
	src, err := s.visible(ctx, caller, id)
	if err != nil {
		return nil, err
	}
	if _, err := grantable(s.cat, caller, src.Scopes); err != nil {
		return nil, err
	}
	lifetime := src.Lifetime
	if lifetime <= 0 {
		lifetime = src.ExpiresAt - src.CreatedAt
	}
	tmpl := &store.Token{
		Owner: src.Owner, Name: name, Description: src.Description, Scopes: src.Scopes,
		AllowedCIDRs: src.AllowedCIDRs, Lifetime: min(lifetime, int64(s.rules.MaxLifetime/time.Second)),
	}
	return s.create(ctx, caller, tmpl, audit.Copy, map[string]any{"copiedFrom": src.ID})
}

// Deactivate switches a token off until activated; repeating it is a no-op.
func (s *Service) Deactivate(ctx context.Context, caller Caller, id string) (*store.Token, error) {
	return s.mutate(ctx, caller, id, audit.Deactivate, false, func(t *store.Token, now time.Time) (map[string]any, error) {
		switch {
		case t.Status == lifecycle.StatusRevoked:
			return nil, conflict("a revoked token cannot be deactivated")
		case t.Status == lifecycle.StatusInactive:
			return nil, nil
		}
		t.Status = lifecycle.StatusInactive
		return map[string]any{"status": lifecycle.StatusInactive}, nil
	})
}

// Activate switches an inactive token back on and restarts its inactivity
// clock. Expired and revoked tokens stay off.
func (s *Service) Activate(ctx context.Context, caller Caller, id string) (*store.Token, error) {
	return s.mutate(ctx, caller, id, audit.Activate, false, func(t *store.Token, now time.Time) (map[string]any, error) {
		switch lifecycle.Shown(t.Times(), now) {
		case lifecycle.StatusRevoked:
			return nil, conflict("a revoked token cannot be activated")
		case lifecycle.StatusExpired:
			return nil, conflict("an expired token cannot be activated; regenerate it or extend expiresAt")
		case lifecycle.StatusActive:
			return nil, nil
		}
		t.Status, t.ActivatedAt = lifecycle.StatusActive, now.Unix()
		return map[string]any{"status": lifecycle.StatusActive}, nil
	})
}

// Revoke ends a token for good and frees its name at once. Revoking a
// revoked token succeeds without a write.
func (s *Service) Revoke(ctx context.Context, caller Caller, id string) (*store.Token, error) {
	return s.mutate(ctx, caller, id, audit.Revoke, false, func(t *store.Token, now time.Time) (map[string]any, error) {
		if t.Status == lifecycle.StatusRevoked {
			return nil, nil
		}
		t.Status, t.RevokedAt = lifecycle.StatusRevoked, now.Unix()
		t.PrevSecretHash, t.PrevKeyID, t.PrevValidUntil = nil, "", 0
		return map[string]any{"status": lifecycle.StatusRevoked}, nil
	})
}

// MaxBulk is the most ids one bulk revoke takes.
const MaxBulk = 100

// RevokeResult is one id's outcome in a bulk revoke.
type RevokeResult struct {
	ID    string
	Token *store.Token
	Err   error
}

// bulkWorkers bounds how many revocations of one bulk request run at once:
// enough to hide round trips, few enough not to burst the table.
const bulkWorkers = 8

// RevokeMany revokes each id on its own, so one bad id does not hold back
// the others; results keep the request's order.
func (s *Service) RevokeMany(ctx context.Context, caller Caller, ids []string) ([]RevokeResult, error) {
	if len(ids) == 0 {
		return nil, invalid("ids", "give at least one token id")
	}
	if len(ids) > MaxBulk {
		return nil, invalid("ids", "at most %d ids per request", MaxBulk)
	}
	out := make([]RevokeResult, len(ids))
	work := make(chan int)
	var wg sync.WaitGroup
	for range min(bulkWorkers, len(ids)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				t, err := s.Revoke(ctx, caller, ids[i])
				out[i] = RevokeResult{ID: ids[i], Token: t, Err: err}
			}
		}()
	}
	for i := range ids {
		work <- i
	}
	close(work)
	wg.Wait()
	return out, nil
}
