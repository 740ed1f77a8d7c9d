package clock

import (
	"context"
	"sync"
	"time"
)

// Clock tells the time. Everything that compares against expiry, inactivity
// or TTL deadlines takes one, so tests can age tokens without sleeping.
type Clock interface {
	Now() time.Time
}

// System is the wall clock.
type System struct{}

var _ Clock = System{}

// Now returns the current time.
func (System) Now() time.Time { return time.Now() }

// Manual is a clock that only moves when told; safe for concurrent use.
type Manual struct {
	mu  sync.Mutex
	now time.Time
}

var _ Clock = (*Manual)(nil)

// NewManual returns a clock stopped at t.
func NewManual(t time.Time) *Manual { return &Manual{now: t} }

// Now returns the clock's current time.
func (m *Manual) Now() time.Time {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.now
}

// Advance moves the clock forward by d.
func (m *Manual) Advance(d time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.now = m.now.Add(d)
}

// Set moves the clock to t.
func (m *Manual) Set(t time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.now = t
}

// WithMargin ends ctx margin before its deadline, if it has one, so a
// handler stops waiting in time to give its own answer before Lambda's
// timeout cuts it off.
func WithMargin(ctx context.Context, margin time.Duration) (context.Context, context.CancelFunc) {
	if d, ok := ctx.Deadline(); ok {
		return context.WithDeadline(ctx, d.Add(-margin))
	}
	return context.WithCancel(ctx)
}
