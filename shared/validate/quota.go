package validate

import (
	"sync"
	"time"
)

// quotas are the owners this container has learned are over their plan's
// quota, each until its period ends. Bounded like the usage trackers: when
// full, lapsed entries go, and if none lapsed the oldest knowledge is
// dropped (those owners are refused again after the next write learns it).
type quotas struct {
	mu    sync.RWMutex
	max   int
	until map[string]int64 // owner → unix nanoseconds
}

func newQuotas(bound int) *quotas { return &quotas{max: max(bound, 1), until: map[string]int64{}} }

func (q *quotas) exceeded(owner string, now time.Time) bool {
	q.mu.RLock()
	u, ok := q.until[owner]
	q.mu.RUnlock()
	return ok && now.UnixNano() < u
}

func (q *quotas) exceed(owner string, end, now time.Time) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if _, ok := q.until[owner]; !ok && len(q.until) >= q.max {
		for o, u := range q.until {
			if u <= now.UnixNano() {
				delete(q.until, o)
			}
		}
		if len(q.until) >= q.max {
			clear(q.until)
		}
	}
	q.until[owner] = end.UnixNano()
}
