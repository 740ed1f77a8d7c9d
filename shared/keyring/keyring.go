package keyring

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/keymint/keymint/shared/clock"
)

// UnknownKeyRefreshEvery bounds how often an unknown key id may trigger a
// re-read of the source.
const UnknownKeyRefreshEvery = time.Minute

// failedRefreshRetry bounds how soon an age-based re-read is retried after
// one failed while a cached keyring was still serving; without it every
// request during a Secrets Manager outage would pay for a failing call.
const failedRefreshRetry = time.Minute

// coldRetryFirst is the first back-off after a failed read while no keyring
// has loaded yet; it doubles up to failedRefreshRetry.
const coldRetryFirst = time.Second

// errNoKeyring guards an invariant: a completed read either stores keys or
// reports why not.
var errNoKeyring = errors.New("keyring: no keyring loaded")

// Keyring hashes and verifies secrets with the pepper from a Source. It is
// safe for concurrent use; concurrent callers share a single read of the
// source.
type Keyring struct {
	src          Source
	clk          clock.Clock
	refreshEvery time.Duration

	mu          sync.RWMutex
	keys        *Keys // nil until a read succeeds; never mutated once stored
	nextRefresh time.Time
	lastUnknown time.Time // when an unknown key id last caused a read
	// While no keyring has ever loaded (an empty placeholder secret after a
	// deploy, a malformed one), failed reads back off so a flood of requests
	// does not become a flood of GetSecretValue calls: coldErr answers until
	// coldRetryAt, and the wait doubles with each failure up to a minute.
	coldFailures int
	coldRetryAt  time.Time
	coldErr      error
	inflight     *flight
}

// flight is one read of the source that concurrent callers wait on.
type flight struct {
	done chan struct{}
	err  error
	// abandoned: the reader's own context ended, so the failure says nothing
	// about the source and other waiters may try again.
	abandoned bool
}

// New returns a Keyring that reads src on first use and again once the cached
// copy is older than refreshEvery (never, on age alone, if refreshEvery <= 0).
func New(src Source, clk clock.Clock, refreshEvery time.Duration) *Keyring {
	return &Keyring{src: src, clk: clk, refreshEvery: refreshEvery}
}

// Load reads the source now, for an eager read at cold start. Unlike Hash and
// Verify it reports a failed read even when a cached keyring exists.
func (k *Keyring) Load(ctx context.Context) error {
	_, err := k.refresh(ctx, func(time.Time) bool { return true })
	return err
}

// Hash returns HMAC-SHA256(current key, secret) and the id of the key used.
func (k *Keyring) Hash(ctx context.Context, secret string) (keyID string, sum []byte, err error) {
	keys, err := k.keysForUse(ctx)
	if err != nil {
		return "", nil, err
	}
	return keys.Current, keys.macs[keys.Current].sum(secret), nil
}

// Verify reports whether sum is HMAC-SHA256(key keyID, secret), comparing in
// constant time. A sum of the wrong length is simply false. An unknown keyID
// re-reads the source (rate-limited) and then fails with ErrUnknownKey.
func (k *Keyring) Verify(ctx context.Context, keyID, secret string, sum []byte) (bool, error) {
	keys, err := k.keysForUse(ctx)
	if err != nil {
		return false, err
	}
	m, ok := keys.macs[keyID]
	if !ok {
		m, err = k.keyAfterRefresh(ctx, keyID)
		if err != nil {
			return false, err
		}
	}
	return m.equal(secret, sum), nil
}

// keysForUse returns the cached keyring, first re-reading the source if the
// cache is missing or stale. A failed re-read is not an error while a cached
// keyring exists.
func (k *Keyring) keysForUse(ctx context.Context) (*Keys, error) {
	now := k.clk.Now()
	k.mu.RLock()
	keys, stale := k.keys, k.staleLocked(now)
	coldErr, backingOff := k.coldErr, k.keys == nil && now.Before(k.coldRetryAt)
	k.mu.RUnlock()
	if !stale {
		return keys, nil
	}
	if backingOff {
		return nil, fmt.Errorf("keyring: not loaded yet, next read after a back-off: %w", coldErr)
	}
	// Re-check under the write lock: another caller may have finished a read
	// between our look and the start of this one.
	_, err := k.refresh(ctx, k.staleLocked)
	k.mu.RLock()
	keys = k.keys
	k.mu.RUnlock()
	if keys != nil {
		return keys, nil
	}
	if err == nil {
		err = errNoKeyring
	}
	return nil, err
}

func (k *Keyring) staleLocked(now time.Time) bool {
	return k.keys == nil || (k.refreshEvery > 0 && !now.Before(k.nextRefresh))
}

// keyAfterRefresh looks keyID up again after a rate-limited re-read: a
// recently added key becomes usable, while made-up ids cost at most one read
// per UnknownKeyRefreshEvery.
func (k *Keyring) keyAfterRefresh(ctx context.Context, keyID string) (*macPool, error) {
	_, err := k.refresh(ctx, func(now time.Time) bool {
		if !k.lastUnknown.IsZero() && now.Sub(k.lastUnknown) < UnknownKeyRefreshEvery {
			return false
		}
		k.lastUnknown = now
		return true
	})
	k.mu.RLock()
	keys := k.keys
	k.mu.RUnlock()
	if m, ok := keys.macs[keyID]; ok {
		return m, nil
	}
	if err != nil {
		return nil, fmt.Errorf("keyring: key id %q: %w (refresh failed: %w)", keyID, ErrUnknownKey, err)
	}
	return nil, fmt.Errorf("keyring: key id %q: %w", keyID, ErrUnknownKey)
}

// refresh joins the read in flight, or starts one if mayStart (called with
// k.mu held) allows it. It reports whether a read was joined or started, and
// that read's error.
func (k *Keyring) refresh(ctx context.Context, mayStart func(now time.Time) bool) (bool, error) {
	for {
		k.mu.Lock()
		f, leader := k.inflight, false
		if f == nil {
			if !mayStart(k.clk.Now()) {
				k.mu.Unlock()
				return false, nil
			}
			f, leader = &flight{done: make(chan struct{})}, true
			k.inflight = f
		}
		k.mu.Unlock()

		if leader {
			k.read(ctx, f)
			return true, f.err
		}
		select {
		case <-f.done:
		case <-ctx.Done():
			return true, fmt.Errorf("keyring: waiting for refresh: %w", ctx.Err())
		}
		if f.abandoned && ctx.Err() == nil {
			continue
		}
		return true, f.err
	}
}

// read performs one read of the source for flight f and publishes the result.
func (k *Keyring) read(ctx context.Context, f *flight) {
	// Assume failure so that waiters are released with an error even if the
	// source panics.
	f.err = errNoKeyring
	var keys Keys
	defer func() {
		now := k.clk.Now()
		k.mu.Lock()
		switch {
		case f.err == nil:
			k.keys = &keys
			k.nextRefresh = now.Add(k.refreshEvery)
			k.coldFailures, k.coldRetryAt, k.coldErr = 0, time.Time{}, nil
		case ctx.Err() != nil:
			f.abandoned = true
		case k.keys != nil:
			k.nextRefresh = now.Add(min(k.refreshEvery, failedRefreshRetry))
		default:
			k.coldFailures++
			wait := min(coldRetryFirst<<min(k.coldFailures-1, 16), failedRefreshRetry)
			k.coldRetryAt, k.coldErr = now.Add(wait), f.err
		}
		k.inflight = nil
		k.mu.Unlock()
		close(f.done)
	}()

	raw, err := k.src.Load(ctx)
	if err != nil {
		f.err = err
		return
	}
	keys, err = ParseKeys(raw)
	f.err = err
}
