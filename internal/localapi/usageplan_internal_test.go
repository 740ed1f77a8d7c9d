package localapi

import (
	"testing"
	"time"

	"github.com/keymint/keymint/internal/stack"
)

// Quota periods are UTC days, ISO weeks and calendar months.
func TestPeriodStart(t *testing.T) {
	t.Parallel()
	utc := func(y int, m time.Month, d, h int) time.Time { return time.Date(y, m, d, h, 0, 0, 0, time.UTC) }
	east := time.FixedZone("UTC+9", 9*3600)
	tests := []struct {
		period string
		at     time.Time
		want   time.Time
	}{
		{"DAY", utc(2026, 3, 4, 23), utc(2026, 3, 4, 0)},
		{"DAY", time.Date(2026, 3, 5, 8, 0, 0, 0, east), utc(2026, 3, 4, 0)}, // 23:00 UTC the day before
		{"WEEK", utc(2026, 3, 4, 12), utc(2026, 3, 2, 0)},                    // a Wednesday: from Monday
		{"WEEK", utc(2026, 3, 8, 23), utc(2026, 3, 2, 0)},                    // Sunday ends the week
		{"WEEK", utc(2026, 3, 9, 0), utc(2026, 3, 9, 0)},                     // Monday begins one
		{"WEEK", utc(2026, 1, 1, 5), utc(2025, 12, 29, 0)},                   // across a year
		{"MONTH", utc(2026, 3, 31, 23), utc(2026, 3, 1, 0)},
		{"MONTH", utc(2026, 12, 1, 0), utc(2026, 12, 1, 0)},
	}
	for _, tc := range tests {
		if got := periodStart(tc.period, tc.at); !got.Equal(tc.want) {
			t.Errorf("%s of %s: %s, want %s", tc.period, tc.at, got, tc.want)
		}
	}
}

// The meter's choices where AWS documents none: Offset lowers the first
// period's limit only; a request refused for its quota takes no token, and
// a throttled one does not count against the quota; a clock that goes back
// refills nothing.
func TestMeter(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 3, 4, 12, 0, 0, 0, time.UTC)
	type call struct {
		at   time.Duration // after t0
		want verdict
	}
	tests := []struct {
		name  string
		plan  stack.UsagePlan
		calls []call
	}{
		{"offset in the first period only", stack.UsagePlan{Quota: &stack.Quota{Limit: 3, Offset: 2, Period: "DAY"}}, []call{
			{0, admitted}, {0, quotaUsedUp},
			{24 * time.Hour, admitted}, {24 * time.Hour, admitted}, {24 * time.Hour, admitted}, {24 * time.Hour, quotaUsedUp},
		}},
		{"quota refusal takes no token", stack.UsagePlan{Throttle: &stack.Throttle{RateLimit: 1, BurstLimit: 1}, Quota: &stack.Quota{Limit: 1, Period: "DAY"}}, []call{
			{0, admitted}, {0, quotaUsedUp}, {0, quotaUsedUp},
			{12 * time.Hour, admitted}, // next day: the bucket is full again, one token
		}},
		{"throttled requests do not count", stack.UsagePlan{Throttle: &stack.Throttle{RateLimit: 1, BurstLimit: 1}, Quota: &stack.Quota{Limit: 2, Period: "DAY"}}, []call{
			{0, admitted}, {0, throttled}, {0, throttled}, {time.Second, admitted}, {2 * time.Second, quotaUsedUp},
		}},
		{"a clock that goes back refills nothing", stack.UsagePlan{Throttle: &stack.Throttle{RateLimit: 1, BurstLimit: 2}}, []call{
			{time.Hour, admitted}, {time.Hour, admitted}, {0, throttled}, {time.Hour, throttled}, {time.Hour + time.Second, admitted},
		}},
		{"no throttle, no quota", stack.UsagePlan{}, []call{{0, admitted}, {0, admitted}, {0, admitted}}},
		{"a zero burst throttles everything", stack.UsagePlan{Throttle: &stack.Throttle{RateLimit: 10, BurstLimit: 0}}, []call{{0, throttled}, {time.Minute, throttled}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			plan := tc.plan
			plan.ID = "p"
			m := newMeter(map[string]*stack.UsagePlan{"p": &plan}, t0)
			for i, c := range tc.calls {
				if got := m.admit("p", "key", t0.Add(c.at)); got != c.want {
					t.Fatalf("call %d at +%s: %d, want %d", i, c.at, got, c.want)
				}
			}
		})
	}
}
