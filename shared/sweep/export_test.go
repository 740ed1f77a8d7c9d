package sweep

import (
	"context"
	"time"
)

// Test seams: the run's page size, write concurrency and time margin are
// fixed in production but tests shrink them to reach pagination and the
// time budget with few items.

func (s *Sweeper) SetPageSize(n int32)          { s.pageSize = n }
func (s *Sweeper) SetMinMargin(d time.Duration) { s.minMargin = d }
func StopAt(ctx context.Context, started time.Time, minMargin time.Duration) (time.Time, bool) {
	b := newBudget(ctx, started, minMargin)
	return b.stopAt, b.bounded
}
