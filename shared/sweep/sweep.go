package sweep

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/keymint/keymint/shared/audit"
	"github.com/keymint/keymint/shared/clock"
	"github.com/keymint/keymint/shared/lifecycle"
	"github.com/keymint/keymint/shared/store"
)

// Report is what one sweep did (or, in a dry run, would do).
type Report struct {
	Examined    int   `json:"examined"`
	Inactivated int   `json:"inactivated"`
	Expired     int   `json:"expired"`
	Deleted     int   `json:"deleted"`
	Notified    int   `json:"notified"`
	DryRun      bool  `json:"dryRun"`
	DurationMs  int64 `json:"durationMs"`
}

// Options are one run's settings.
type Options struct {
	// DryRun reads and decides but writes nothing and sends no notice.
	DryRun bool
	// Limit caps how many due tokens the run examines; 0 means no cap.
	Limit int
	// Now replaces the clock (local stacks only); zero means the clock.
	Now time.Time
}

const (
	// defaultWorkers bounds concurrent writes within a page: enough to hide
	// per-transaction latency without bursting a shard's partition.
	defaultWorkers = 8
	// defaultMinMargin is the least time a run leaves itself before the
	// invocation deadline; a page of writes takes well under it.
	defaultMinMargin = 5 * time.Second
	// maxWriteErrors stops a run that keeps failing for reasons other than
	// lost races (throttling, permissions): more attempts only add noise.
	maxWriteErrors = 10
)

// Sweeper runs sweeps over one table.
type Sweeper struct {
	store    *store.Store
	rules    lifecycle.Rules
	notifier Notifier
	clock    clock.Clock
	log      *slog.Logger
	allowNow bool

	pageSize  int32
	workers   int
	minMargin time.Duration
}

// ClockOverride says whether a run's Options.Now may replace the clock.
type ClockOverride bool

const (
	// ClockOnly: runs use the clock (AWS).
	ClockOnly ClockOverride = false
	// NowAllowed: Options.Now may replace it (local stacks with
	// KEYMINT_ALLOW_CLOCK_OVERRIDE=1, tests).
	NowAllowed ClockOverride = true
)

// New builds a Sweeper. The lifecycle rules are the store's, so what the
// sweeper decides and the deadlines the store derives cannot disagree.
func New(st *store.Store, n Notifier, clk clock.Clock, log *slog.Logger, override ClockOverride) *Sweeper {
	return &Sweeper{
		store: st, rules: st.Rules(), notifier: n, clock: clk, log: log, allowNow: bool(override),
		pageSize: store.MaxPageSize, workers: defaultWorkers, minMargin: defaultMinMargin,
	}
}

// Run sweeps the due set once. It stops early, without error, when the
// limit is reached or the context's deadline comes within the safety margin
// (the larger of 5 s and a tenth of the time the run was given); the next run
// picks up what is left. Lost races are not errors. It returns an error for
// a refused request, a failed read, write failures other than lost races,
// and notices that could not be sent; the report is filled in either way.
func (s *Sweeper) Run(ctx context.Context, opt Options) (Report, error) {
	started := time.Now()
	if opt.Limit < 0 {
		return Report{DryRun: opt.DryRun}, fmt.Errorf("%w: limit must not be negative", ErrInvalid)
	}
	now := s.clock.Now()
	if !opt.Now.IsZero() {
		if !s.allowNow {
			return Report{DryRun: opt.DryRun}, fmt.Errorf("%w: %w", ErrInvalid, ErrClockOverride)
		}
		now = opt.Now
	}
	r := &run{s: s, opt: opt, now: now.UTC().Truncate(time.Second), budget: newBudget(ctx, started, s.minMargin)}
	r.rep.DryRun = opt.DryRun
	stoppedBy, err := r.sweep(ctx)
	r.rep.DurationMs = time.Since(started).Milliseconds()
	err = errors.Join(err, r.noticeErr, errors.Join(r.writeErrs...))

	level := slog.LevelInfo
	if err != nil {
		level = slog.LevelError
	}
	attrs := []any{
		"examined", r.rep.Examined, "inactivated", r.rep.Inactivated, "expired", r.rep.Expired,
		"deleted", r.rep.Deleted, "notified", r.rep.Notified, "dryRun", r.rep.DryRun,
		"durationMs", r.rep.DurationMs, "now", r.now.Format(time.RFC3339), "limit", opt.Limit,
	}
	if stoppedBy != "" {
		attrs = append(attrs, "stoppedBy", stoppedBy)
	}
	if err != nil {
		attrs = append(attrs, "error", err.Error())
	}
	s.log.Log(ctx, level, "sweep", attrs...)
	return r.rep, err
}

// budget is the wall-clock time a run may use: Lambda's deadline minus a margin.
type budget struct {
	stopAt  time.Time
	bounded bool
}

func newBudget(ctx context.Context, started time.Time, minMargin time.Duration) budget {
	deadline, ok := ctx.Deadline()
	if !ok {
		return budget{}
	}
	margin := max(minMargin, deadline.Sub(started)/10)
	return budget{stopAt: deadline.Add(-margin), bounded: true}
}

func (b budget) spent(now time.Time) bool { return b.bounded && !now.Before(b.stopAt) }

// run is one sweep's state.
type run struct {
	s      *Sweeper
	opt    Options
	now    time.Time
	budget budget

	mu        sync.Mutex // guards rep counters and errors while a page's writes run
	rep       Report
	writeErrs []error
	noticeErr error
}

// sweep reads the shards' due pages in turn, one page per shard per round,
// so a run cut short by time or limit has made progress in every shard
// instead of starving the last ones.
func (r *run) sweep(ctx context.Context) (stoppedBy string, err error) {
	cursors := make([]string, store.SweepShards)
	done := make([]bool, store.SweepShards)
	for open := store.SweepShards; open > 0; {
		for no := range store.SweepShards {
			if done[no] {
				continue
			}
			if why := r.stopReason(ctx); why != "" {
				return why, ctx.Err()
			}
			size := r.s.pageSize
			if r.opt.Limit > 0 {
				size = int32(min(int(size), r.opt.Limit-r.rep.Examined))
			}
			toks, next, err := r.s.store.Due(ctx, no, r.now, size, cursors[no])
			if err != nil {
				return "", fmt.Errorf("sweep: shard %02d: %w", no, err)
			}
			r.page(ctx, toks)
			cursors[no] = next
			if next == "" {
				done[no] = true
				open--
			}
		}
	}
	return "", nil
}

func (r *run) stopReason(ctx context.Context) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case ctx.Err() != nil:
		return "canceled"
	case r.opt.Limit > 0 && r.rep.Examined >= r.opt.Limit:
		return "limit"
	case r.budget.spent(time.Now()):
		return "time"
	case len(r.writeErrs) >= maxWriteErrors:
		return "errors"
	}
	return ""
}

// page handles one page of due tokens: decide, send the page's notices in
// one call, then write. The notices go out before notifiedAt is written, so
// delivery is at least once: a notice whose write then fails (a lost race,
// a crash) is sent again by the next run.
func (r *run) page(ctx context.Context, toks []*store.Record) {
	plans := make([]plan, len(toks))
	for i, t := range toks {
		plans[i] = decide(r.s.rules, t, r.now.Unix())
	}
	r.mu.Lock()
	r.rep.Examined += len(toks)
	r.mu.Unlock()
	if r.opt.DryRun {
		for _, p := range plans {
			r.count(p.del, &r.rep.Deleted)
			r.count(p.expire, &r.rep.Expired)
			r.count(p.inactivate, &r.rep.Inactivated)
			r.count(p.notify, &r.rep.Notified)
		}
		return
	}
	undelivered := r.sendNotices(ctx, plans)
	sem := make(chan struct{}, r.s.workers)
	var wg sync.WaitGroup
	for _, p := range plans {
		noticeFailed := p.notify && undelivered[p.tok.ID]
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			r.execute(ctx, p, noticeFailed)
		})
	}
	wg.Wait()
}

func (r *run) count(did bool, n *int) {
	if !did {
		return
	}
	r.mu.Lock()
	*n++
	r.mu.Unlock()
}

// sendNotices sends the page's notices and returns the token ids whose
// notice was not delivered.
func (r *run) sendNotices(ctx context.Context, plans []plan) map[string]bool {
	var notices []Notice
	for _, p := range plans {
		if p.notify {
			t := p.tok
			notices = append(notices, Notice{TokenID: t.ID, Owner: t.Owner, Name: t.Name, ExpiresAt: time.Unix(t.ExpiresAt, 0).UTC(), At: r.now})
		}
	}
	if len(notices) == 0 {
		return nil
	}
	err := r.s.notifier.Notify(ctx, notices)
	if err == nil {
		return nil
	}
	r.s.log.WarnContext(ctx, "sweep: expiry notices not delivered; the next run retries them", "error", err.Error())
	r.mu.Lock()
	if r.noticeErr == nil {
		r.noticeErr = err
	}
	r.mu.Unlock()
	failed := make(map[string]bool, len(notices))
	var de *DeliveryError
	if errors.As(err, &de) {
		for _, id := range de.Failed {
			failed[id] = true
		}
		return failed
	}
	for _, n := range notices {
		failed[n.TokenID] = true
	}
	return failed
}

// execute writes one token's plan. Each write is conditional on the
// version read from GSI2; a lost condition means another writer (a user, a
// validator recording use, a concurrent sweep) got there first, so the token
// is left for the next run to see fresh, and nothing is counted.
func (r *run) execute(ctx context.Context, p plan, noticeFailed bool) {
	cur := p.tok
	now := r.now.Unix()
	write := func(after *store.Record, action audit.Action, details map[string]any) bool {
		var ev *audit.Event
		if action != "" {
			ev = &audit.Event{TokenID: cur.ID, At: r.now, Action: action, Actor: audit.SweeperActor, Details: details}
		}
		err := r.s.store.Apply(ctx, r.now, store.Change{Before: cur, After: after, Event: ev})
		switch {
		case err == nil:
			cur = after
			return true
		case errors.Is(err, store.ErrConflict):
			r.s.log.DebugContext(ctx, "sweep: token changed since read; left for the next run", "tokenId", cur.ID, "action", string(action))
			return false
		default:
			r.fail(ctx, fmt.Errorf("sweep: %s token %s: %w", action, cur.ID, err))
			return false
		}
	}

	switch {
	case p.del:
		details := map[string]any{"expiresTTL": cur.ExpiresTTL, "status": r.s.store.Rules().Status(cur.Times(), r.now)}
		r.count(write(nil, audit.Delete, details), &r.rep.Deleted)
		return
	case p.expire:
		after := cur.Clone()
		after.ExpiredAt = now
		r.count(write(after, audit.Expire, map[string]any{"expiresAt": cur.ExpiresAt}), &r.rep.Expired)
		return
	case p.idle():
		// Due, yet no rule applies: the stored deadline is stale (written
		// under other rules, or edited by hand). Rewriting re-derives it, so
		// the token stops being due until its real deadline.
		if write(cur.Clone(), "", nil) {
			r.s.log.InfoContext(ctx, "sweep: refreshed a stale deadline", "tokenId", cur.ID)
		}
		return
	}
	if p.inactivate {
		after := cur.Clone()
		after.Status, after.UpdatedAt = lifecycle.StatusInactive, now
		details := map[string]any{"status": lifecycle.StatusInactive, "lastActivity": cur.Times().LastActivity()}
		if !write(after, audit.Inactivate, details) {
			return
		}
		r.count(true, &r.rep.Inactivated)
	}
	if p.notify && !noticeFailed {
		after := cur.Clone()
		after.NotifiedAt = now
		r.count(write(after, audit.Notify, map[string]any{"expiresAt": cur.ExpiresAt}), &r.rep.Notified)
	}
}

func (r *run) fail(ctx context.Context, err error) {
	r.s.log.ErrorContext(ctx, "sweep: write failed", "error", err.Error())
	r.mu.Lock()
	r.writeErrs = append(r.writeErrs, err)
	r.mu.Unlock()
}
