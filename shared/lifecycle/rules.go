package lifecycle

import "time"

// NoticeWindow is how long before expiry the sweeper sends the one
// "expiring soon" notice.
const NoticeWindow = 7 * 24 * time.Hour

// BackstopDelay is how far past expiresTTL the sweeper deletes an item that
// DynamoDB's best-effort TTL has not removed yet.
const BackstopDelay = 24 * time.Hour

// MaxGrace is the longest grace period a regenerated token's old secret
// may keep working: manage enforces it, the console's regenerate dialog
// offers no more.
const MaxGrace = 7 * 24 * time.Hour

// Rules are the lifecycle durations (docs/configuration.md).
type Rules struct {
	InactiveAfter   time.Duration
	DeleteAfterIdle time.Duration
	Retention       time.Duration
	AuditRetention  time.Duration
	DefaultLifetime time.Duration
	MaxLifetime     time.Duration
}

// Stored status values (the `status` attribute).
const (
	StatusActive   = "active"
	StatusInactive = "inactive"
	StatusRevoked  = "revoked"
	// StatusExpired is never stored: it is what a token past expiresAt shows.
	StatusExpired = "expired"
)

// Times are the facts about a token the rules need, in epoch seconds.
type Times struct {
	Status      string
	CreatedAt   int64
	ExpiresAt   int64
	LastUsedAt  int64
	ActivatedAt int64 // last manual activation: restarts the inactivity clock
	RevokedAt   int64
	ExpiredAt   int64 // when the sweeper recorded the expiry; 0 until then
	NotifiedAt  int64 // when the expiry notice went out; 0 until then
}

// Status is the one answer to "what state is this token in at now": what
// validate decides by, what readers see, what list filters select, what
// activate and edit check and what the sweeper writes down. Revoked wins,
// then expiry (which DynamoDB TTL may not have acted on yet), then
// inactivity, stored or by time (the sweeper may not have run yet). Any
// other stored value counts as inactive, so it is refused, never allowed.
func (r Rules) Status(t Times, now time.Time) string {
	switch {
	case t.Status == StatusRevoked:
		return StatusRevoked
	case t.ExpiresAt <= now.Unix():
		return StatusExpired
	case t.Status != StatusActive, r.InactiveAt(t) <= now.Unix():
		return StatusInactive
	}
	return StatusActive
}

// LastActivity is when the token was last used, created or re-activated,
// whichever is latest: the start of its inactivity clock.
func (t Times) LastActivity() int64 {
	return max(t.CreatedAt, t.LastUsedAt, t.ActivatedAt)
}

// ExpiresTTL is the moment DynamoDB may delete the token (docs/table.md).
func (r Rules) ExpiresTTL(t Times) int64 {
	if t.Status == StatusRevoked {
		return t.RevokedAt + secs(r.Retention)
	}
	return min(t.ExpiresAt+secs(r.Retention), t.LastActivity()+secs(r.DeleteAfterIdle))
}

// InactiveAt is when an unused active token turns inactive.
func (r Rules) InactiveAt(t Times) int64 {
	return t.LastActivity() + secs(r.InactiveAfter)
}

// NextDeadline is the earliest moment the sweeper has something to do for
// the token: the GSI2 sort key. The TTL backstop is always pending, so every
// token stays in the index until it is deleted.
func (r Rules) NextDeadline(t Times) int64 {
	next := r.ExpiresTTL(t) + secs(BackstopDelay)
	if t.Status == StatusRevoked {
		return next
	}
	if t.ExpiredAt == 0 {
		next = min(next, t.ExpiresAt)
		if t.NotifiedAt == 0 {
			next = min(next, t.ExpiresAt-secs(NoticeWindow))
		}
	}
	if t.Status == StatusActive && t.ExpiredAt == 0 {
		next = min(next, r.InactiveAt(t))
	}
	return next
}

func secs(d time.Duration) int64 { return int64(d / time.Second) }
