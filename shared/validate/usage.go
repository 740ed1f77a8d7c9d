package validate

import (
	"context"
	"errors"
	"log/slog"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/smithy-go"
	"github.com/keymint/keymint/shared/clock"
	"github.com/keymint/keymint/shared/plan"
	"github.com/keymint/keymint/shared/store"
)

// Usage bookkeeping (docs/architecture.md "Validate: the hot path"). A use is counted
// in memory; the table is written only when the token's lastUsedAt is
// LAST_USED_INTERVAL old, as this container last saw it: then lastUsedAt
// and lastUsedIp are set (Touch) and every address's count since the last
// write is added to the usage log (RecordUse). So a container writes at most
// once per token per interval, and a request whose token was used recently
// writes nothing. On Lambda the write waits until the answer is out (Flush,
// run by the function's internal extension; see WriteAfterAnswer). What a
// container counted since its last write is lost if it is shut down or
// crashes first: at most one interval of counts, and addresses first seen
// in it, per token.
type usage struct {
	mu      sync.Mutex
	max     int
	byToken map[string]*tokenUse
}

// tokenUse is one token's uses not yet written, by address: most tokens
// are used from one address between writes, which is kept inline; more go
// to a map.
type tokenUse struct {
	// last is the token's lastUsedAt as this container knows it (unix
	// seconds): read from the table, or the time of its own last write.
	last  atomic.Int64
	mu    sync.Mutex
	first netip.Addr
	n     int64
	more  map[netip.Addr]int64
	// uses counts every use since the last write, with or without an
	// address, for its owner's quota (metered tokens only).
	uses int64
}

// maxIPs bounds the addresses counted per token between writes; uses from
// further addresses in one interval are not counted (the decision stands).
const maxIPs = 256

func newUsage(maxTokens int) *usage {
	return &usage{max: max(maxTokens, 1), byToken: make(map[string]*tokenUse)}
}

// of returns the token's tracker, which outlives cache entries so counts
// survive a re-read, and raises its lastUsedAt to the item's.
func (u *usage) of(t *store.Record) *tokenUse {
	u.mu.Lock()
	tu := u.byToken[t.ID]
	if tu == nil {
		if len(u.byToken) >= u.max {
			u.shed()
		}
		tu = &tokenUse{}
		u.byToken[t.ID] = tu
	}
	u.mu.Unlock()
	for {
		last := tu.last.Load()
		if t.LastUsedAt <= last || tu.last.CompareAndSwap(last, t.LastUsedAt) {
			return tu
		}
	}
}

// shed makes room under a flood of distinct tokens. Idle trackers go (the
// table has their last write); trackers with counts pending stay if that
// leaves room, else they go too and their counts are lost: memory stays
// bounded. A new map, because maps never shrink.
func (u *usage) shed() {
	keep := make(map[string]*tokenUse, u.max)
	for id, tu := range u.byToken {
		tu.mu.Lock()
		pending := tu.n > 0 || len(tu.more) > 0
		tu.mu.Unlock()
		if pending {
			keep[id] = tu
		}
	}
	if len(keep) >= u.max*3/4 {
		clear(keep)
	}
	u.byToken = keep
}

func (tu *tokenUse) count(a netip.Addr, metered bool) {
	tu.mu.Lock()
	defer tu.mu.Unlock()
	if a.IsValid() {
		tu.add(a, 1)
	}
	if metered {
		tu.uses++
	}
}

// takeUses hands over the uses counted for the quota.
func (tu *tokenUse) takeUses() int64 {
	tu.mu.Lock()
	defer tu.mu.Unlock()
	n := tu.uses
	tu.uses = 0
	return n
}

// giveBackUses returns uses whose write failed, for the next write.
func (tu *tokenUse) giveBackUses(n int64) {
	tu.mu.Lock()
	defer tu.mu.Unlock()
	tu.uses += n
}

func (tu *tokenUse) add(a netip.Addr, n int64) {
	switch {
	case tu.n == 0 || tu.first == a:
		tu.first = a
		tu.n += n
	case tu.more != nil && tu.more[a] > 0 || len(tu.more) < maxIPs-1:
		if tu.more == nil {
			tu.more = make(map[netip.Addr]int64)
		}
		tu.more[a] += n
	}
}

// take hands over the pending counts.
func (tu *tokenUse) take() map[netip.Addr]int64 {
	tu.mu.Lock()
	defer tu.mu.Unlock()
	out := tu.more
	if out == nil {
		out = make(map[netip.Addr]int64, 1)
	}
	if tu.n > 0 {
		out[tu.first] += tu.n
	}
	tu.first, tu.n, tu.more = netip.Addr{}, 0, nil
	return out
}

// giveBack returns counts whose write failed, for the next write.
func (tu *tokenUse) giveBack(a netip.Addr, n int64) {
	tu.mu.Lock()
	defer tu.mu.Unlock()
	tu.add(a, n)
}

// used counts a valid use and, when the token's lastUsedAt is due, writes
// it: after the answer when a post-response phase runs (WriteAfterAnswer),
// else now. The first request to see it due writes; the others go on.
// Failures are logged, not returned: the decision was made from a
// successful read, and bookkeeping must not turn a valid request into a
// 500.
func (v *Validator) used(ctx context.Context, e *entry, addr netip.Addr, now time.Time, metered bool) {
	tu := e.use
	if addr.IsValid() || metered {
		tu.count(addr, metered)
	}
	sec := now.Unix()
	last := tu.last.Load()
	if sec-last < int64(v.interval/time.Second) || !tu.last.CompareAndSwap(last, sec) {
		return
	}
	w := dueWrite{item: e.item, use: tu, at: now, quota: e.quota}
	if addr.IsValid() {
		w.ip = addr.String()
	}
	if v.afterAnswer != nil && v.afterAnswer() && v.later.add(w) {
		return
	}
	ctx, cancel := clock.WithMargin(ctx, v.margin)
	defer cancel()
	v.write(ctx, w)
}

// dueWrite is one token's usage write: lastUsedAt and lastUsedIp as of
// the request that found it due, and every address's count the tracker
// holds when it is written.
type dueWrite struct {
	item  *store.Record
	use   *tokenUse
	ip    string
	at    time.Time
	quota *plan.Quota // the token's plan's; nil: not metered
}

func (v *Validator) write(ctx context.Context, w dueWrite) {
	t := w.item
	if _, err := v.store.Touch(ctx, t, w.at, w.ip, v.interval); err != nil {
		v.log.WarnContext(ctx, "record last use failed", slog.String("tokenId", t.ID), slog.Any("error", err))
	}
	for a, n := range w.use.take() {
		if err := v.store.RecordUse(ctx, t.ID, a.String(), n, w.at); err != nil {
			v.log.WarnContext(ctx, "record ip use failed", slog.String("tokenId", t.ID), slog.Any("error", err))
			w.use.giveBack(a, n)
		}
	}
	if w.quota != nil {
		v.meter(ctx, t.Owner, w)
	}
}

// meter adds the token's uses since its last write to its owner's counter
// for the period, and learns from the total whether the owner is over its
// quota: this container refuses the owner's tokens from then until the
// period ends. Other containers learn it at their own next write, so an
// owner may go over by what every container serves of its tokens in one
// LAST_USED_INTERVAL (docs/configuration.md, "Plans").
func (v *Validator) meter(ctx context.Context, owner string, w dueWrite) {
	n := w.use.takeUses()
	if n == 0 {
		return
	}
	period, end := w.quota.Window(w.at)
	total, err := v.store.AddOwnerUse(ctx, owner, period, end, n)
	if err != nil {
		// The counter is added to: uses go back for the next write only
		// when DynamoDB refused the write. One that timed out or lost its
		// answer may have been applied, and adding its uses again would
		// count them twice; they are dropped (an undercount, like a
		// container's shutdown).
		kept := notApplied(err)
		if kept {
			w.use.giveBackUses(n)
		}
		v.log.WarnContext(ctx, "record owner use failed", slog.String("owner", owner), slog.Bool("usesKept", kept), slog.Any("error", err))
		return
	}
	if total >= w.quota.Requests {
		v.quotas.exceed(owner, end, w.at)
	}
}

// later holds the writes that wait for the answer to go out: at most one
// per token (a newer due write of the same token replaces the older; the
// counts are the tracker's either way), and no more tokens than the usage
// trackers may hold, so memory stays within the bounds it had.
type later struct {
	mu     sync.Mutex
	max    int
	writes map[string]dueWrite
}

func newLater(max int) *later { return &later{max: max, writes: make(map[string]dueWrite)} }

// add queues w; false when full (the caller writes it at once).
func (l *later) add(w dueWrite) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.writes[w.item.ID]; !ok && len(l.writes) >= l.max {
		return false
	}
	l.writes[w.item.ID] = w
	return true
}

// take hands over every queued write.
func (l *later) take() []dueWrite {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]dueWrite, 0, len(l.writes))
	for _, w := range l.writes {
		out = append(out, w)
	}
	clear(l.writes)
	return out
}

// putBack returns writes a flush had no time for, unless a newer write of
// the same token came meanwhile.
func (l *later) putBack(ws []dueWrite) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, w := range ws {
		if _, newer := l.writes[w.item.ID]; !newer {
			l.writes[w.item.ID] = w
		}
	}
}

// WriteAfterAnswer makes due usage writes wait for Flush, which the
// function's post-response phase runs once the answer is out, for as long
// as running reports true (the extension that runs Flush is alive).
// Without it, or once running is false, they are written before the
// answer, as before.
func (v *Validator) WriteAfterAnswer(running func() bool) { v.afterAnswer = running }

// Flush writes the usage that waits for the answer, within ctx's deadline.
// Writes it has no time for stay queued for the next Flush; a write that
// fails keeps its counts in the tracker for the next one.
func (v *Validator) Flush(ctx context.Context) {
	ws := v.later.take()
	for i, w := range ws {
		if ctx.Err() != nil {
			v.later.putBack(ws[i:])
			return
		}
		v.write(ctx, w)
	}
}

// notApplied reports a write DynamoDB answered with a refusal (a client
// fault: throttled, a failed condition, a bad request), which it did not
// apply. A server fault, a timeout or a lost connection says nothing
// about whether it was applied
// (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html).
func notApplied(err error) bool {
	var api smithy.APIError
	return errors.As(err, &api) && api.ErrorFault() == smithy.FaultClient
}
