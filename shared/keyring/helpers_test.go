package keyring_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

var (
	key1 = bytes.Repeat([]byte{1}, 32)
	key2 = bytes.Repeat([]byte{2}, 48)
	key9 = bytes.Repeat([]byte{9}, 32)
	t0   = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
)

// doc builds a keyring document; it is written independently of ParseKeys so
// the tests do not trust the code under test to describe its own format.
func doc(t testing.TB, current string, keys map[string][]byte) []byte {
	t.Helper()
	enc := map[string]string{}
	for id, k := range keys {
		enc[id] = base64.StdEncoding.EncodeToString(k)
	}
	b, err := json.Marshal(map[string]any{"current": current, "keys": enc})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func hmacOf(key []byte, secret string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(secret))
	return h.Sum(nil)
}

// memSource is an in-memory Source whose answers tests can change.
type memSource struct {
	loads atomic.Int64

	mu  sync.Mutex
	raw []byte
	err error
}

func (m *memSource) Load(context.Context) ([]byte, error) {
	m.loads.Add(1)
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.raw, m.err
}

func (m *memSource) set(raw []byte, err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.raw, m.err = raw, err
}

// gatedSource blocks every Load until released (or the caller gives up), so
// tests can pile callers onto one read.
type gatedSource struct {
	raw     []byte
	loads   atomic.Int64
	entered chan struct{}
	release chan struct{}
}

func newGatedSource(raw []byte) *gatedSource {
	return &gatedSource{raw: raw, entered: make(chan struct{}, 100), release: make(chan struct{})}
}

func (g *gatedSource) Load(ctx context.Context) ([]byte, error) {
	g.loads.Add(1)
	g.entered <- struct{}{}
	select {
	case <-g.release:
		return g.raw, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
