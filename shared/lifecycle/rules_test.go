package lifecycle_test

import (
	"testing"
	"time"

	"github.com/keymint/keymint/shared/lifecycle"
)

const day = int64(24 * 3600)

var rules = lifecycle.Rules{InactiveAfter: 30 * 24 * time.Hour, DeleteAfterIdle: 90 * 24 * time.Hour, Retention: 30 * 24 * time.Hour}

func TestStatus(t *testing.T) {
	t.Parallel()
	now := time.Unix(1000*day, 0)
	fresh := now.Unix() - 10*day // inside the 30-day inactivity window
	stale := now.Unix() - 30*day // exactly 30 days idle: inactive
	cases := []struct {
		name string
		t    lifecycle.Times
		want string
	}{
		{"active", lifecycle.Times{Status: "active", CreatedAt: fresh, ExpiresAt: now.Unix() + 1}, "active"},
		{"expired at the second", lifecycle.Times{Status: "active", CreatedAt: fresh, ExpiresAt: now.Unix()}, "expired"},
		{"inactive, stored", lifecycle.Times{Status: "inactive", CreatedAt: fresh, ExpiresAt: now.Unix() + 1}, "inactive"},
		{"inactive by time, before the sweeper writes it", lifecycle.Times{Status: "active", CreatedAt: stale, ExpiresAt: now.Unix() + day}, "inactive"},
		{"recent use keeps it active", lifecycle.Times{Status: "active", CreatedAt: stale, LastUsedAt: fresh, ExpiresAt: now.Unix() + day}, "active"},
		{"activation restarts the clock", lifecycle.Times{Status: "active", CreatedAt: stale, ActivatedAt: now.Unix(), ExpiresAt: now.Unix() + day}, "active"},
		{"idle and expired: expired", lifecycle.Times{Status: "active", CreatedAt: stale, ExpiresAt: now.Unix() - 1}, "expired"},
		{"inactive and expired", lifecycle.Times{Status: "inactive", CreatedAt: fresh, ExpiresAt: now.Unix() - 1}, "expired"},
		{"revoked wins over expiry", lifecycle.Times{Status: "revoked", CreatedAt: fresh, ExpiresAt: now.Unix() - 1}, "revoked"},
		{"an unknown stored status is refused", lifecycle.Times{Status: "paused", CreatedAt: fresh, ExpiresAt: now.Unix() + day}, "inactive"},
	}
	for _, c := range cases {
		if got := rules.Status(c.t, now); got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
}

func TestExpiresTTLAndDeadline(t *testing.T) {
	t.Parallel()
	created := 1000 * day
	cases := []struct {
		name      string
		t         lifecycle.Times
		ttl, next int64
	}{
		{"long-lived: idle deletion first; inactivity is the next deadline",
			lifecycle.Times{Status: "active", CreatedAt: created, ExpiresAt: created + 300*day},
			created + 90*day, created + 30*day},
		{"short-lived: expiry + retention; the notice is due 7 days before expiry",
			lifecycle.Times{Status: "active", CreatedAt: created, ExpiresAt: created + 20*day},
			created + 50*day, created + 13*day},
		{"use moves the idle clocks",
			lifecycle.Times{Status: "active", CreatedAt: created, LastUsedAt: created + 10*day, ExpiresAt: created + 300*day},
			created + 100*day, created + 40*day},
		{"activation restarts the inactivity clock",
			lifecycle.Times{Status: "active", CreatedAt: created, ActivatedAt: created + 50*day, ExpiresAt: created + 300*day},
			created + 140*day, created + 80*day},
		{"notified: expiry is next",
			lifecycle.Times{Status: "inactive", CreatedAt: created, ExpiresAt: created + 20*day, NotifiedAt: created + 13*day},
			created + 50*day, created + 20*day},
		{"expired and recorded: only the backstop remains",
			lifecycle.Times{Status: "active", CreatedAt: created, ExpiresAt: created + 20*day, NotifiedAt: 1, ExpiredAt: created + 20*day},
			created + 50*day, created + 51*day},
		{"revoked: retention from revocation, then the backstop",
			lifecycle.Times{Status: "revoked", CreatedAt: created, ExpiresAt: created + 300*day, RevokedAt: created + 5*day},
			created + 35*day, created + 36*day},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := rules.ExpiresTTL(c.t); got != c.ttl {
				t.Errorf("ExpiresTTL = day %d, want day %d", (got-created)/day, (c.ttl-created)/day)
			}
			if got := rules.NextDeadline(c.t); got != c.next {
				t.Errorf("NextDeadline = day %d, want day %d", (got-created)/day, (c.next-created)/day)
			}
		})
	}
}
