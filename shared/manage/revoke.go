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
