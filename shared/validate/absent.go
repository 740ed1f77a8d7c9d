package validate

import (
	"sync"
	"time"
)

// Unknown ids cost at most one read on average (SECURITY.md). A token id
// is random and public only once issued, so an id the table does not hold
// is either a token issued a moment ago that the eventually consistent
// read has not caught up with, or a probe. The first case needs the
// strongly consistent second read; a probe does not deserve it:
//
//   - absent remembers ids a strongly consistent read found missing, for
//     absentTTL: the same id is refused without reading again (probes with
//     one id and many secrets, or one leaked id replayed);
//   - retryBudget lets at most consistentRetriesPerSecond second reads a
//     second through per container (a burst of as many): past that, a
//     miss of the first read is a miss. A token used within a second of
//     its issue, while the container is being flooded with unknown ids,
//     may then be refused (the refusal is cached like any decision, for
//     the decision cache's TTL) and accepted when retried after it.
//
// So a flood of distinct unknown ids costs one eventually consistent read
// (half a read unit) each, plus at most consistentRetriesPerSecond full
// ones a second; a repeated one costs nothing for absentTTL.
const (
	absentTTL                  = 10 * time.Second
	absentMax                  = 4096
	consistentRetriesPerSecond = 20
)

// absent is a bounded set of ids known missing, with when each was seen.
type absent struct {
	mu  sync.Mutex
	ids map[string]int64 // unix nanoseconds
}

func newAbsent() *absent { return &absent{ids: make(map[string]int64)} }

// known reports whether id was found missing within absentTTL of now.
func (a *absent) known(id string, now time.Time) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	at, ok := a.ids[id]
	return ok && now.UnixNano()-at < int64(absentTTL)
}

// add remembers id as missing. A full set starts over (a new map: maps
// never shrink), which at worst costs a re-read per id.
func (a *absent) add(id string, now time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.ids) >= absentMax {
		a.ids = make(map[string]int64, absentMax)
	}
	a.ids[id] = now.UnixNano()
}

// retryBudget is a token bucket of strongly consistent re-reads.
type retryBudget struct {
	mu     sync.Mutex
	tokens float64
	at     time.Time
}

func newRetryBudget() *retryBudget { return &retryBudget{tokens: consistentRetriesPerSecond} }

// take reports whether a re-read may go ahead now, and spends it.
func (r *retryBudget) take(now time.Time) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.at.IsZero() {
		r.tokens = min(consistentRetriesPerSecond, r.tokens+now.Sub(r.at).Seconds()*consistentRetriesPerSecond)
	}
	r.at = now
	if r.tokens < 1 {
		return false
	}
	r.tokens--
	return true
}
