package validate

import (
	"crypto/sha256"
	"sync"
	"time"

	"github.com/keymint/keymint/shared/store"
)

// tokenVerdict is what validate learned about a token string from the
// table: its item (nil when unknown) and whether the secret matched.
type tokenVerdict struct {
	status  Status // Valid means "secret matched"; request checks still follow
	item    *store.Token
	expires time.Time
}

// cache remembers verdicts for a short TTL so a burst of requests with one
// token costs one read. It bounds revocation lag to its TTL, so it is small
// by design (VALIDATE_CACHE_TTL).
type cache struct {
	mu      sync.Mutex
	ttl     time.Duration
	max     int
	entries map[[32]byte]tokenVerdict
}

func newCache(ttl time.Duration, maxEntries int) *cache {
	return &cache{ttl: ttl, max: maxEntries, entries: make(map[[32]byte]tokenVerdict)}
}

// cacheKey hashes the presented token, so the cache holds no plaintext.
func cacheKey(raw string) [32]byte { return sha256.Sum256([]byte(raw)) }

func (c *cache) get(k [32]byte, now time.Time) (tokenVerdict, bool) {
	if c.ttl <= 0 || c.max <= 0 {
		return tokenVerdict{}, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.entries[k]
	if !ok || !now.Before(v.expires) {
		return tokenVerdict{}, false
	}
	return v, true
}

func (c *cache) put(k [32]byte, v tokenVerdict, now time.Time) {
	if c.ttl <= 0 || c.max <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= c.max {
		c.evict(now)
	}
	v.expires = now.Add(c.ttl)
	c.entries[k] = v
}

// evict drops expired entries, and if that frees nothing, an arbitrary
// half: under a flood of distinct tokens, memory stays bounded.
func (c *cache) evict(now time.Time) {
	for k, v := range c.entries {
		if !now.Before(v.expires) {
			delete(c.entries, k)
		}
	}
	if len(c.entries) < c.max {
		return
	}
	drop := len(c.entries) / 2
	for k := range c.entries {
		if drop == 0 {
			break
		}
		delete(c.entries, k)
		drop--
	}
}

// markUsed updates a cached item's lastUsedAt after a usage write attempt,
// so the next hits in the TTL do not try again.
func (c *cache) markUsed(k [32]byte, at int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if v, ok := c.entries[k]; ok && v.item != nil {
		item := *v.item
		item.LastUsedAt = at
		v.item = &item
		c.entries[k] = v
	}
}
