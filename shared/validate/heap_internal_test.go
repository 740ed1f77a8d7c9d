package validate

import (
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/netip"
	"runtime"
	"testing"
	"time"

	"github.com/keymint/keymint/shared/store"
	"github.com/keymint/keymint/shared/token"
)

// heapCase builds the cache side of a validator (cache, usage trackers,
// encoded answers) and drives it as Check and Invoke do on hits and
// misses; a miss gets a fresh item, as a read from the table would.
type heapCase struct {
	h     *Handler
	items []*store.Record
	keys  []string
	addr  netip.Addr
}

func newHeapCase(distinct, maxEntries int) *heapCase {
	v := &Validator{cache: newCache(time.Hour, maxEntries), usage: newUsage(maxEntries)}
	c := &heapCase{h: New(v, nil, false, slog.New(slog.DiscardHandler)), addr: netip.MustParseAddr("198.51.100.7")}
	for i := range distinct {
		id := fmt.Sprintf("%016d", i)
		c.keys = append(c.keys, token.Token{Prefix: "kmt", ID: id, Secret: fmt.Sprintf("%032d", i)}.String())
		c.items = append(c.items, &store.Record{
			PK: "TOKEN#" + id, SK: "META", ID: id, Owner: fmt.Sprintf("owner-%d", i%1000), Name: "ci deploy",
			Scopes: []string{"sample:call", "tokens:read"}, SecretHash: make([]byte, 32), KeyID: "k1", Status: "active",
			CreatedAt: 1, ExpiresAt: 4102444800, Version: 1, GSI1PK: "OWNER#x", GSI1SK: "TOKEN#" + id, GSI2PK: "DUE", GSI2SK: "x",
		})
	}
	return c
}

// use is one request with token i.
func (c *heapCase) use(i int, now int64) {
	v := c.h.v
	k := v.cache.keyOf(c.keys[i])
	e := v.cache.get(k, now)
	if e == nil {
		e = newEntry(Valid, c.items[i].Clone())
		e.use = v.usage.of(e.item)
		v.cache.put(k, e, now)
	}
	e.use.count(c.addr, true)
	c.h.simple(Decision{Status: Valid, Token: e.item, e: e})
}

func heapNow() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// BenchmarkCacheHeap: validate's memory under a flood of distinct tokens
// stays within what a full cache takes. heap-bytes is the heap held after
// 1M requests over 100k distinct tokens with the default
// VALIDATE_CACHE_MAX_ENTRIES; bound-bytes is a cache filled to exactly that
// many entries, every one with its answer encoded and its usage tracked.
func BenchmarkCacheHeap(b *testing.B) {
	const distinct, requests, maxEntries = 100_000, 1_000_000, 10_000
	var heap, bound uint64
	var entries int
	for b.Loop() {
		c := newHeapCase(distinct, maxEntries)
		base := heapNow()
		// The bound: the cache full, each entry with its answer and usage
		// tracker, and the tracker table full of other tokens (trackers
		// outlive entries, and entries keep theirs).
		for i := range maxEntries {
			c.use(i, int64(i))
		}
		c.h.v.usage = newUsage(maxEntries)
		for i := range maxEntries - 1 {
			c.h.v.usage.of(c.items[maxEntries+i].Clone()).count(c.addr, true)
		}
		bound = heapNow() - base
		c.h.v.cache, c.h.v.usage = newCache(time.Hour, maxEntries), newUsage(maxEntries)
		base = heapNow()
		r := rand.New(rand.NewPCG(1, 2))
		for n := range requests {
			c.use(r.IntN(distinct), int64(n))
		}
		heap = heapNow() - base
		entries = c.h.v.cache.len()
		runtime.KeepAlive(c)
	}
	b.ReportMetric(float64(heap), "heap-bytes")
	b.ReportMetric(float64(bound), "bound-bytes")
	b.ReportMetric(float64(entries), "entries")
	b.ReportMetric(maxEntries, "max-entries")
}
