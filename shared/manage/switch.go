package manage

import (
	"context"
	"time"

	"github.com/keymint/keymint/shared/audit"
	"github.com/keymint/keymint/shared/lifecycle"
	"github.com/keymint/keymint/shared/store"
)

// Deactivate switches a token off until activated; repeating it is a no-op.
func (s *Service) Deactivate(ctx context.Context, caller Caller, id string) (*store.Record, error) {
	return s.mutate(ctx, caller, id, audit.Deactivate, reapplyOnRace, func(t *store.Record, now time.Time) (map[string]any, error) {
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

// Activate switches an inactive token back on, whether it was deactivated or
// went unused too long (before the sweeper wrote that down), and restarts
// its inactivity clock. Expired and revoked tokens stay off.
func (s *Service) Activate(ctx context.Context, caller Caller, id string) (*store.Record, error) {
	return s.mutate(ctx, caller, id, audit.Activate, reapplyOnRace, func(t *store.Record, now time.Time) (map[string]any, error) {
		switch s.rules.Status(t.Times(), now) {
		case lifecycle.StatusRevoked:
			return nil, conflict("a revoked token cannot be activated")
		case lifecycle.StatusExpired:
			return nil, conflict("an expired token cannot be activated; regenerate it for a new secret")
		case lifecycle.StatusActive:
			return nil, nil
		}
		t.Status, t.ActivatedAt = lifecycle.StatusActive, now.Unix()
		return map[string]any{"status": lifecycle.StatusActive}, nil
	})
}
