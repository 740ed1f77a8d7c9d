package validate

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/keymint/keymint/shared/store"
)

// usageLog counts uses per token and IP between writes, so the usage log
// gets real counts while the table sees at most one write attempt per token
// and IP per LAST_USED_INTERVAL from each container.
type usageLog struct {
	mu      sync.Mutex
	max     int
	pending map[usageKey]*usageCount
}

type usageKey struct{ token, ip string }

type usageCount struct {
	n           int64
	lastAttempt int64
}

func newUsageLog(maxEntries int) *usageLog {
	return &usageLog{max: max(maxEntries, 1), pending: make(map[usageKey]*usageCount)}
}

// add counts one use and says how many to write now, or 0 when the last
// attempt is more recent than interval.
func (u *usageLog) add(k usageKey, now int64, interval int64) int64 {
	u.mu.Lock()
	defer u.mu.Unlock()
	c, ok := u.pending[k]
	if !ok {
		if len(u.pending) >= u.max {
			clear(u.pending) // bounded memory beats exact counts under a flood
		}
		c = &usageCount{}
		u.pending[k] = c
	}
	c.n++
	if c.lastAttempt != 0 && now-c.lastAttempt < interval {
		return 0
	}
	c.lastAttempt = now
	return c.n
}

func (u *usageLog) written(k usageKey, n int64) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if c, ok := u.pending[k]; ok {
		c.n = max(c.n-n, 0)
	}
}

// recordUse writes lastUsedAt and the IP usage entry when their interval has
// passed. Failures are logged, not returned: the decision was already made
// from a successful read, and usage bookkeeping must not turn a valid
// request into a 500.
func (v *Validator) recordUse(ctx context.Context, k [32]byte, t *store.Token, ip string, now time.Time) {
	if addr, ok := sourceAddr(ip); ok {
		ip = addr.String()
	} else {
		ip = ""
	}
	if now.Unix()-t.LastUsedAt >= int64(v.interval/time.Second) {
		if _, err := v.store.Touch(ctx, t, now, ip, v.interval); err != nil {
			v.log.WarnContext(ctx, "record last use failed", slog.String("tokenId", t.ID), slog.Any("error", err))
		}
		v.cache.markUsed(k, now.Unix())
	}
	if ip == "" {
		return
	}
	uk := usageKey{t.ID, ip}
	n := v.usage.add(uk, now.Unix(), int64(v.interval/time.Second))
	if n == 0 {
		return
	}
	wrote, err := v.store.RecordUse(ctx, t.ID, ip, n, now, v.interval)
	if err != nil {
		v.log.WarnContext(ctx, "record ip use failed", slog.String("tokenId", t.ID), slog.Any("error", err))
		return
	}
	if wrote {
		v.usage.written(uk, n)
	}
}
