package sweep

import (
	"fmt"
	"testing"
	"time"

	"github.com/keymint/keymint/shared/lifecycle"
	"github.com/keymint/keymint/shared/store"
)

const day = int64(24 * time.Hour / time.Second)

// testRules are the documented defaults.
func testRules() lifecycle.Rules {
	return lifecycle.Rules{
		InactiveAfter:   30 * 24 * time.Hour,
		DeleteAfterIdle: 90 * 24 * time.Hour,
		Retention:       30 * 24 * time.Hour,
		AuditRetention:  400 * 24 * time.Hour,
		DefaultLifetime: 30 * 24 * time.Hour,
		MaxLifetime:     366 * 24 * time.Hour,
	}
}

// base (2100-01-01T00:00:00Z) is far in the future so these times never look
// expired to anything that compares them with the wall clock.
const base int64 = 4102444800

func tokenAt(f lifecycle.Times) *store.Record {
	t := &store.Record{
		ID: "tok0000000000001", Status: f.Status, CreatedAt: f.CreatedAt, ExpiresAt: f.ExpiresAt,
		LastUsedAt: f.LastUsedAt, ActivatedAt: f.ActivatedAt, RevokedAt: f.RevokedAt,
		ExpiredAt: f.ExpiredAt, NotifiedAt: f.NotifiedAt,
	}
	t.ExpiresTTL = testRules().ExpiresTTL(f)
	return t
}

func TestDecide(t *testing.T) {
	t.Parallel()
	active := func(expiresIn int64) lifecycle.Times {
		return lifecycle.Times{Status: lifecycle.StatusActive, CreatedAt: base, ExpiresAt: base + expiresIn*day}
	}
	with := func(f lifecycle.Times, edit func(*lifecycle.Times)) lifecycle.Times { edit(&f); return f }
	tests := []struct {
		name  string
		times lifecycle.Times
		ttl   int64 // stored expiresTTL when it differs from the rules'
		at    int64 // seconds after base
		want  plan
	}{
		{name: "fresh token: nothing", times: active(100), at: 10 * day},
		{name: "unused for 30 days: inactive", times: active(100), at: 30 * day, want: plan{inactivate: true}},
		{name: "a second before 30 days: nothing", times: active(100), at: 30*day - 1},
		{name: "use restarts the inactivity clock", times: with(active(100), func(f *lifecycle.Times) { f.LastUsedAt = base + 10*day }), at: 35 * day},
		{name: "activation restarts the inactivity clock", times: with(active(100), func(f *lifecycle.Times) { f.Status, f.ActivatedAt = lifecycle.StatusActive, base+20*day }), at: 45 * day},
		{name: "already inactive: not again", times: with(active(100), func(f *lifecycle.Times) { f.Status = lifecycle.StatusInactive }), at: 40 * day},
		{name: "7 days before expiry: notice", times: with(active(40), func(f *lifecycle.Times) { f.LastUsedAt = base + 30*day }), at: 33 * day, want: plan{notify: true}},
		{name: "notice already sent", times: with(active(40), func(f *lifecycle.Times) { f.LastUsedAt, f.NotifiedAt = base+30*day, base+33*day }), at: 35 * day},
		{name: "inactive tokens get their notice too", times: with(active(40), func(f *lifecycle.Times) { f.Status = lifecycle.StatusInactive }), at: 34 * day, want: plan{notify: true}},
		{name: "unused and expiring soon: both", times: active(35), at: 30 * day, want: plan{inactivate: true, notify: true}},
		{name: "at expiresAt: expire, no notice", times: active(30), at: 30 * day, want: plan{expire: true}},
		{name: "expired stays marked", times: with(active(30), func(f *lifecycle.Times) { f.ExpiredAt = base + 30*day }), at: 40 * day},
		{name: "revoked and past expiry: waits for the backstop", times: with(active(30), func(f *lifecycle.Times) { f.Status, f.RevokedAt = lifecycle.StatusRevoked, base+5*day }), at: 35*day + day - 1},
		{name: "revoked past retention plus a day: delete", times: with(active(30), func(f *lifecycle.Times) { f.Status, f.RevokedAt = lifecycle.StatusRevoked, base+5*day }), at: 36 * day, want: plan{del: true}},
		{name: "expired past retention plus a day: delete", times: with(active(10), func(f *lifecycle.Times) { f.ExpiredAt = base + 10*day }), at: 41 * day, want: plan{del: true}},
		{name: "a second before the backstop: nothing", times: with(active(10), func(f *lifecycle.Times) { f.ExpiredAt = base + 10*day }), at: 41*day - 1},
		{name: "idle 90 days plus one: delete", times: with(active(366), func(f *lifecycle.Times) { f.Status = lifecycle.StatusInactive }), at: 91 * day, want: plan{del: true}},
		{name: "stored expiresTTL earlier than the rules: delete", times: active(100), ttl: base + 20*day, at: 21 * day, want: plan{del: true}},
		{name: "never-marked token past its backstop: delete, not expire", times: active(10), at: 41 * day, want: plan{del: true}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tok := tokenAt(tc.times)
			if tc.ttl != 0 {
				tok.ExpiresTTL = tc.ttl
			}
			got := decide(testRules(), tok, base+tc.at)
			got.tok = nil
			if got != tc.want {
				t.Errorf("decide = %+v, want %+v", got, tc.want)
			}
		})
	}
}

// TestDecideMovesDeadlinePastNow checks, over a grid of token states and
// moments, the property a run's pagination relies on: a due token always has
// work, and once that work is written its next deadline lies after now (or
// it is gone), so no token is met twice in one run.
func TestDecideMovesDeadlinePastNow(t *testing.T) {
	t.Parallel()
	statuses := []string{lifecycle.StatusActive, lifecycle.StatusInactive, lifecycle.StatusRevoked}
	checked, due := 0, 0
	for _, status := range statuses {
		for _, lastUsed := range []int64{0, 10 * day, 50 * day} {
			for _, activated := range []int64{0, 20 * day} {
				for _, expiresIn := range []int64{5, 35, 100, 366} {
					for _, marked := range []bool{false, true} {
						for _, notified := range []bool{false, true} {
							f := lifecycle.Times{Status: status, CreatedAt: base, ExpiresAt: base + expiresIn*day}
							if lastUsed != 0 {
								f.LastUsedAt = base + lastUsed
							}
							if activated != 0 {
								f.ActivatedAt = base + activated
							}
							if status == lifecycle.StatusRevoked {
								f.RevokedAt = base + 3*day
							}
							if marked {
								f.ExpiredAt = f.ExpiresAt
							}
							if notified {
								f.NotifiedAt = f.ExpiresAt - 7*day
							}
							for now := base; now <= base+500*day; now += day / 2 {
								checked++
								p := decide(testRules(), tokenAt(f), now)
								deadline := testRules().NextDeadline(f)
								if deadline <= now {
									due++
									if p.idle() {
										t.Fatalf("%+v due at %s with nothing to do", f, at(now))
									}
								}
								if p.del {
									continue
								}
								after := f
								if p.expire {
									after.ExpiredAt = now
								}
								if p.inactivate {
									after.Status = lifecycle.StatusInactive
								}
								if p.notify {
									after.NotifiedAt = now
								}
								if next := testRules().NextDeadline(after); next <= now {
									t.Fatalf("%+v at %s: plan %+v leaves the deadline at %s", f, at(now), p, at(next))
								}
							}
						}
					}
				}
			}
		}
	}
	if due == 0 || due == checked {
		t.Fatalf("grid is degenerate: %d of %d states due", due, checked)
	}
}

func at(epoch int64) string {
	return fmt.Sprintf("base+%.1fd", float64(epoch-base)/float64(day))
}
