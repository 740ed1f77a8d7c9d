package validate

import (
	"crypto/rand"
	"encoding/binary"
	"net/netip"
	"sync"
	"time"
	"unsafe"

	"github.com/keymint/keymint/shared/plan"
	"github.com/keymint/keymint/shared/signin/idtoken"
	"github.com/keymint/keymint/shared/store"
)

// entry is what validate learned about one presented token string from the
// table, kept for the cache TTL: everything a hit needs, prepared once, so
// a hit reads and never builds.
type entry struct {
	status  Status        // Valid means "secret matched"; the request's checks follow per call
	item    *store.Record // nil when the id is unknown
	expires int64         // unix nanoseconds
	// The token's address rules, parsed.
	allowList bool // an allow list is set, even if no entry of it parses
	allow     []netip.Prefix
	blocked   []netip.Addr
	use       *tokenUse // nil unless status is Valid
	// quota is the token's plan's, nil when it has none: its uses are
	// counted against its owner's quota.
	quota *plan.Quota
	// plan names the token's plan in an allow's context, "" without plans.
	plan string
	// apiScopes are the token's scopes but the management ones: a request
	// one of them opens is a use of the API, and counts (metered only).
	apiScopes []string
	// person is set instead of item for a signed-in person's ID token.
	person  *person
	answers answers
}

func newEntry(status Status, item *store.Record) *entry {
	e := &entry{status: status, item: item}
	if item == nil {
		return e
	}
	e.allowList = len(item.AllowedCIDRs) > 0
	for _, c := range item.AllowedCIDRs {
		if p, err := netip.ParsePrefix(c); err == nil {
			e.allow = append(e.allow, p)
		}
	}
	for _, b := range item.BlockedIPs {
		if a, ok := sourceAddr(b); ok {
			e.blocked = append(e.blocked, a)
		}
	}
	return e
}

// cache remembers entries for a short TTL so a burst of requests with one
// token costs one read. It bounds revocation lag to its TTL, so it is small
// by design (VALIDATE_CACHE_TTL), and its size to VALIDATE_CACHE_MAX_ENTRIES.
type cache struct {
	mu      sync.RWMutex
	ttl     int64 // nanoseconds
	max     int
	key     sipKey
	entries map[[16]byte]*entry
}

func newCache(ttl time.Duration, maxEntries int) *cache {
	var k [16]byte
	_, _ = rand.Read(k[:]) // crypto/rand.Read never fails (Go 1.24+)
	return &cache{
		ttl: int64(ttl), max: maxEntries, entries: make(map[[16]byte]*entry),
		key: sipKey{binary.LittleEndian.Uint64(k[:8]), binary.LittleEndian.Uint64(k[8:])},
	}
}

func (c *cache) on() bool { return c.ttl > 0 && c.max > 0 }

// keyOf is the cache key for a presented token: a keyed hash, so the cache
// holds no token text.
func (c *cache) keyOf(raw string) [16]byte {
	return c.key.sum128(unsafe.Slice(unsafe.StringData(raw), len(raw)))
}

func (c *cache) get(k [16]byte, now int64) *entry {
	if !c.on() {
		return nil
	}
	c.mu.RLock()
	e := c.entries[k]
	c.mu.RUnlock()
	if e == nil || now >= e.expires {
		return nil
	}
	return e
}

func (c *cache) put(k [16]byte, e *entry, now int64) {
	if !c.on() {
		return
	}
	e.expires = now + c.ttl
	if e.person != nil {
		// Never past the ID token's own life.
		e.expires = min(e.expires, time.Unix(e.person.expires, 0).Add(idtoken.ClockSkew).UnixNano())
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= c.max {
		c.evict(now)
	}
	c.entries[k] = e
}

// evict drops expired entries, and if that frees too little, an arbitrary
// half: under a flood of distinct tokens, memory stays bounded. It builds a
// new map rather than deleting in place, because a map never shrinks and
// churn through deletes can grow one past what it ever held at once.
func (c *cache) evict(now int64) {
	keep := make(map[[16]byte]*entry, c.max)
	for k, e := range c.entries {
		if now < e.expires {
			keep[k] = e
		}
	}
	if len(keep) >= c.max*3/4 {
		drop := len(keep) / 2
		for k := range keep {
			if drop == 0 {
				break
			}
			delete(keep, k)
			drop--
		}
	}
	c.entries = keep
}

func (c *cache) len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.entries)
}
