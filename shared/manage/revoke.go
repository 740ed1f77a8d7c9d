package manage

import (
	"context"
	"sync"
	"time"

	"github.com/keymint/keymint/shared/audit"
	"github.com/keymint/keymint/shared/lifecycle"
	"github.com/keymint/keymint/shared/store"
)

// Revoke ends a token for good and frees its name at once. Revoking a
// revoked token succeeds without a write, so a retry after a fault is safe.
func (s *Service) Revoke(ctx context.Context, caller Caller, id string) (*store.Record, error) {
	return s.mutate(ctx, caller, id, audit.Revoke, reapplyOnRace, func(t *store.Record, now time.Time) (map[string]any, error) {
		if t.Status == lifecycle.StatusRevoked {
			return nil, nil
		}
		t.Status, t.RevokedAt = lifecycle.StatusRevoked, now.Unix()
		t.PrevSecretHash, t.PrevKeyID, t.PrevValidUntil = nil, "", 0
		return map[string]any{"status": lifecycle.StatusRevoked}, nil
	})
}

// MaxBulk is the most ids one bulk request takes.
const MaxBulk = 100

// BulkResult is one id's outcome in a bulk request.
type BulkResult struct {
	ID    string
	Token *store.Record
	Err   error
}

// bulkWorkers bounds how many changes of one bulk request run at once:
// enough to hide round trips, few enough not to burst the table.
const bulkWorkers = 8

// RevokeMany revokes each id on its own (see many).
func (s *Service) RevokeMany(ctx context.Context, caller Caller, ids []string) ([]BulkResult, error) {
	return s.many(ctx, caller, ids, s.Revoke)
}

// DeactivateMany deactivates each id on its own (see many).
func (s *Service) DeactivateMany(ctx context.Context, caller Caller, ids []string) ([]BulkResult, error) {
	return s.many(ctx, caller, ids, s.Deactivate)
}

// ActivateMany activates each id on its own (see many).
func (s *Service) ActivateMany(ctx context.Context, caller Caller, ids []string) ([]BulkResult, error) {
	return s.many(ctx, caller, ids, s.Activate)
}

// many applies op to each id on its own, so one bad id does not hold back
// the others, each with every rule of the single route; results keep the
// request's order.
func (s *Service) many(ctx context.Context, caller Caller, ids []string, op func(context.Context, Caller, string) (*store.Record, error)) ([]BulkResult, error) {
	if len(ids) == 0 {
		return nil, invalid("ids", "give at least one token id")
	}
	if len(ids) > MaxBulk {
		return nil, invalid("ids", "at most %d ids per request", MaxBulk)
	}
	out := make([]BulkResult, len(ids))
	work := make(chan int)
	var wg sync.WaitGroup
	for range min(bulkWorkers, len(ids)) {
		wg.Go(func() {
			for i := range work {
				t, err := op(ctx, caller, ids[i])
				out[i] = BulkResult{ID: ids[i], Token: t, Err: err}
			}
		})
	}
	for i := range ids {
		work <- i
	}
	close(work)
	wg.Wait()
	return out, nil
}
