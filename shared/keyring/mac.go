package keyring

import (
	"crypto/hmac"
	"crypto/sha256"
	"hash"
	"sync"
	"unsafe"
)

// macPool hands out HMAC-SHA256 states keyed with one pepper key. hmac.New
// allocates its states and pads on every call; a pooled state is Reset
// instead (hmac keeps the keyed inner state for a cheap Reset), so a
// validate miss pays for the hash, not for building it.
type macPool struct{ p sync.Pool }

// macState is one pooled HMAC with room for its sum, so nothing escapes.
type macState struct {
	h   hash.Hash
	out [sha256.Size]byte
}

func newMACPool(key []byte) *macPool {
	m := &macPool{}
	m.p.New = func() any { return &macState{h: hmac.New(sha256.New, key)} }
	return m
}

// compute runs fn on HMAC-SHA256(key, secret); the slice is only valid
// inside fn.
func (m *macPool) compute(secret string, fn func(sum []byte)) {
	s := m.p.Get().(*macState)
	s.h.Reset()
	// The slice aliases the string; the hash only reads it.
	_, _ = s.h.Write(unsafe.Slice(unsafe.StringData(secret), len(secret)))
	fn(s.h.Sum(s.out[:0]))
	m.p.Put(s)
}

// equal reports, in constant time, whether want is the secret's HMAC.
func (m *macPool) equal(secret string, want []byte) (ok bool) {
	m.compute(secret, func(sum []byte) { ok = hmac.Equal(sum, want) })
	return ok
}

// sum returns the secret's HMAC in a new slice.
func (m *macPool) sum(secret string) (out []byte) {
	m.compute(secret, func(sum []byte) { out = append([]byte(nil), sum...) })
	return out
}
