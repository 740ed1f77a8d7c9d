package localapi_test

import (
	"fmt"
	"testing"
	"time"
)

// step is one request of a usage plan scenario: after waiting, the
// customer whose authorizer answer names key calls n times, and each call
// gets status (and, for a 429, the body).
type step struct {
	wait   time.Duration
	key    string
	n      int
	status int
}

const (
	tooManyRequests = `{"message":"Too Many Requests"}`
	limitExceeded   = `{"message":"Limit Exceeded"}`
)

// A usage plan throttles each API key by its own token bucket (RateLimit
// a second, BurstLimit at most) and counts its requests against the quota
// of the period, with API Gateway's 429 answers; the integration never
// sees a refused request.
func TestRestUsagePlansThrottleAndQuota(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		start time.Time
		steps []step
	}{
		{"burst, then Too Many Requests", time.Time{}, []step{
			{0, "key-alice", 4, 200}, // free: BurstLimit 4
			{0, "key-alice", 1, 429},
		}},
		{"refill at the rate, never past the burst", time.Time{}, []step{
			{0, "key-alice", 4, 200},
			{0, "key-alice", 1, 429},
			{500 * time.Millisecond, "key-alice", 1, 200}, // RateLimit 2: one token in half a second
			{0, "key-alice", 1, 429},
			{time.Hour, "key-alice", 4, 200}, // an hour refills 4, not 7200
			{0, "key-alice", 1, 429},
		}},
		{"a bucket per key", time.Time{}, []step{
			{0, "key-alice", 4, 200},
			{0, "key-alice", 1, 429},
			{0, "key-bob", 4, 200}, // same plan, own bucket
			{0, "key-bob", 1, 429},
			{0, "key-carol", 100, 200}, // team: BurstLimit 100
			{0, "key-carol", 1, 429},
		}},
		{"quota used up until the next period", time.Date(2026, 3, 4, 23, 0, 0, 0, time.UTC), []step{
			{0, "key-tiny", 3, 200}, // tiny: 3 a day, no throttle
			{0, "key-tiny", 2, 429},
			{59 * time.Minute, "key-tiny", 1, 429},
			{time.Minute, "key-tiny", 3, 200}, // midnight UTC: a new day
			{0, "key-tiny", 1, 429},
		}},
		{"quota per key", time.Time{}, []step{
			{0, "key-tiny", 3, 200},
			{0, "key-tiny", 1, 429},
			{0, "key-alice", 4, 200},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newRestFixture(t)
			if !tc.start.IsZero() {
				f.now = tc.start
			}
			calls := 0
			for i, s := range tc.steps {
				f.advance(s.wait)
				for j := range s.n {
					w := f.do("GET", "/v1/orders", "allow-"+s.key)
					where := fmt.Sprintf("step %d (%s), call %d", i, s.key, j+1)
					if w.Code != s.status {
						t.Fatalf("%s: %d %s, want %d", where, w.Code, w.Body, s.status)
					}
					switch {
					case s.status == 200:
						calls++
					case s.key == "key-tiny" && w.Body.String() != limitExceeded,
						s.key != "key-tiny" && w.Body.String() != tooManyRequests:
						t.Errorf("%s: body %s", where, w.Body)
					}
				}
			}
			if got := len(f.calls.all()); got != calls {
				t.Errorf("the integration got %d calls, want the %d admitted", got, calls)
			}
		})
	}
}
