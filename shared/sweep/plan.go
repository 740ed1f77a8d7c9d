package sweep

import (
	"time"

	"github.com/keymint/keymint/shared/lifecycle"
	"github.com/keymint/keymint/shared/store"
)

// plan is what one due token needs at one moment.
type plan struct {
	tok        *store.Record
	del        bool // TTL backstop
	expire     bool
	inactivate bool
	notify     bool
}

func (p plan) idle() bool { return !p.del && !p.expire && !p.inactivate && !p.notify }

// decide applies the lifecycle rules to t at now, in the order that makes
// later rules moot: a deleted token needs nothing else, a revoked one only
// waits for deletion, an expired one can no longer turn inactive or be
// warned. Whatever it plans, the token's next deadline (lifecycle.Rules.
// NextDeadline) lies after now once the plan is written, which is what lets
// a run page through the due set without meeting a token twice.
func decide(r lifecycle.Rules, t *store.Record, now int64) plan {
	p := plan{tok: t}
	times := t.Times()
	// The stored expiresTTL is what DynamoDB's own TTL acts on; the rules may
	// have been shortened since it was written. Either one passing makes the
	// item deletable.
	ttl := r.ExpiresTTL(times)
	if t.ExpiresTTL > 0 {
		ttl = min(ttl, t.ExpiresTTL)
	}
	switch {
	case now >= ttl+secs(lifecycle.BackstopDelay):
		p.del = true
		return p
	case t.Status == lifecycle.StatusRevoked, t.ExpiredAt != 0:
		return p
	case now >= t.ExpiresAt:
		p.expire = true
		return p
	}
	// Inactive by time but still stored active: write it down.
	p.inactivate = t.Status == lifecycle.StatusActive && r.Status(times, time.Unix(now, 0)) == lifecycle.StatusInactive
	p.notify = t.NotifiedAt == 0 && now >= t.ExpiresAt-secs(lifecycle.NoticeWindow)
	return p
}

func secs(d time.Duration) int64 { return int64(d / time.Second) }
