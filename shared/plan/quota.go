package plan

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Quota periods. A period is a calendar day, ISO week (Monday to Sunday) or
// month, in UTC.
const (
	Day   = "day"
	Week  = "week"
	Month = "month"
)

// Quota is how many requests an owner's tokens may make together in one
// period, counted by the authorizer.
type Quota struct {
	Requests int64  `json:"requests"`
	Period   string `json:"period"`
}

// String is the quota as an owner item and a token carry an override of
// it: "<requests>/<period>", as ParseQuota reads it.
func (q Quota) String() string { return fmt.Sprintf("%d/%s", q.Requests, q.Period) }

// ParseQuota reads what String writes.
func ParseQuota(s string) (*Quota, error) {
	n, period, ok := strings.Cut(s, "/")
	req, err := strconv.ParseInt(n, 10, 64)
	q := &Quota{Requests: req, Period: period}
	if !ok || err != nil {
		return nil, fmt.Errorf("%w: quota %q is not <requests>/<period>", ErrInvalid, s)
	}
	if err := q.Check(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	return q, nil
}

// Check reports what is wrong with a quota, nil when nothing.
func (q *Quota) Check() error {
	if q.Requests <= 0 {
		return fmt.Errorf("quota.requests must be positive")
	}
	switch q.Period {
	case Day, Week, Month:
		return nil
	}
	return fmt.Errorf("quota.period must be %q, %q or %q", Day, Week, Month)
}

// Window is the period holding now: its key (what the owner's counter item
// is named by: 2026-12-04, 2026-W49, 2026-12) and when it ends.
func (q *Quota) Window(now time.Time) (key string, end time.Time) {
	now = now.UTC()
	y, m, d := now.Date()
	switch q.Period {
	case Day:
		start := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
		return start.Format("2006-01-02"), start.AddDate(0, 0, 1)
	case Week:
		// ISO weeks start on Monday; Go's Sunday is 0.
		back := (int(now.Weekday()) + 6) % 7
		start := time.Date(y, m, d-back, 0, 0, 0, 0, time.UTC)
		wy, wn := now.ISOWeek()
		return fmt.Sprintf("%d-W%02d", wy, wn), start.AddDate(0, 0, 7)
	}
	start := time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
	return start.Format("2006-01"), start.AddDate(0, 1, 0)
}
