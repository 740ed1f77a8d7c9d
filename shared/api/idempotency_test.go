package api_test

import (
	"sync"
	"testing"
	"time"

	"github.com/keymint/keymint/internal/testkit"
	"github.com/keymint/keymint/shared/api"
)

func TestIdempotencyKey(t *testing.T) {
	t.Parallel()
	s := newStack(t, testkit.Env{"VALIDATE_CACHE_TTL": "0"})
	key := map[string]string{"idempotency-key": "3f1c2a9e-7d1b-4c55-9a0e-2b8f6d0c1e77"}
	body := map[string]any{"name": "ci", "scopes": scopes("tokens:read"), "expiresInDays": 7}

	first := s.callWith("POST", "/tokens", s.admin, body, key)
	if first.status != 201 {
		t.Fatalf("first: %d %s", first.status, first.body)
	}
	var made api.TokenView
	first.decode(t, &made)
	items := s.itemCount()

	again := s.callWith("POST", "/tokens", s.admin, body, key)
	var replay api.TokenView
	again.decode(t, &replay)
	if again.status != 200 || again.header["Idempotent-Replayed"] != "true" || replay.ID != made.ID || replay.Token != "" {
		t.Fatalf("retry: %d %v %+v", again.status, again.header, replay)
	}
	if s.itemCount() != items {
		t.Fatal("a replayed request wrote something")
	}

	changed := map[string]any{"name": "ci", "scopes": scopes("tokens:read"), "expiresInDays": 8}
	if r := s.callWith("POST", "/tokens", s.admin, changed, key); r.status != 422 {
		t.Fatalf("same key, different body: %d %s", r.status, r.body)
	}

	// Keys belong to the caller: another token's identical key is its own.
	other := s.issue(s.admin, map[string]any{"name": "w", "scopes": scopes("tokens:read", "tokens:write")})
	r := s.callWith("POST", "/tokens", other.Token, map[string]any{"name": "ci2", "scopes": scopes("tokens:read")}, key)
	if r.status != 201 {
		t.Fatalf("another caller's same key: %d %s", r.status, r.body)
	}

	// Copy takes a key too.
	ckey := map[string]string{"idempotency-key": "copy-1"}
	c1 := s.callWith("POST", "/tokens/"+made.ID+"/copy", s.admin, map[string]any{"name": "ci-copy"}, ckey)
	c2 := s.callWith("POST", "/tokens/"+made.ID+"/copy", s.admin, map[string]any{"name": "ci-copy"}, ckey)
	var v1, v2 api.TokenView
	c1.decode(t, &v1)
	c2.decode(t, &v2)
	if c1.status != 201 || c2.status != 200 || v1.ID != v2.ID || v2.Token != "" {
		t.Fatalf("copy with a key: %d %d %s %s", c1.status, c2.status, v1.ID, v2.ID)
	}

	// After the window a key is free again.
	s.Clock.Advance(24*time.Hour + time.Second)
	late := s.callWith("POST", "/tokens", s.admin, map[string]any{"name": "ci3", "scopes": scopes("tokens:read")}, key)
	if late.status != 201 {
		t.Fatalf("a key past its window: %d %s", late.status, late.body)
	}
}

// Concurrent requests with one key make one token; the rest answer with it.
func TestIdempotencyKeyRace(t *testing.T) {
	t.Parallel()
	s := newStack(t, nil)
	key := map[string]string{"idempotency-key": "race"}
	body := map[string]any{"name": "r", "scopes": scopes("tokens:read")}
	const n = 6
	results := make([]response, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = s.callWith("POST", "/tokens", s.admin, body, key)
		}()
	}
	wg.Wait()
	created, ids := 0, map[string]bool{}
	for _, r := range results {
		var v api.TokenView
		r.decode(t, &v)
		switch r.status {
		case 201:
			created++
		case 200:
		default:
			t.Fatalf("answer %d %s", r.status, r.body)
		}
		ids[v.ID] = true
	}
	if created != 1 || len(ids) != 1 {
		t.Fatalf("%d created, %d distinct ids; want one token", created, len(ids))
	}
}

// The ops direct invoke takes the key in its payload.
func TestDirectIssueIdempotencyKey(t *testing.T) {
	t.Parallel()
	s := newStack(t, nil)
	body := map[string]any{"owner": "ops-made", "name": "n", "scopes": scopes("tokens:read"), "idempotencyKey": "ops-1"}
	first := s.direct(body)
	again := s.direct(body)
	if first.Token == "" || again.ID != first.ID || again.Token != "" {
		t.Fatalf("direct retry: first %s (secret %v), again %s (secret %v)", first.ID, first.Token != "", again.ID, again.Token != "")
	}
}

// A retry of a create with an absolute expiresAt is the same request a
// second later: it replays, where a fingerprint of expiresAt − now made
// it a 422.
func TestIdempotentRetryWithAbsoluteExpiry(t *testing.T) {
	t.Parallel()
	s := newStack(t, testkit.Env{"VALIDATE_CACHE_TTL": "0"})
	key := map[string]string{"idempotency-key": "absolute-1"}
	at := s.Clock.Now().Add(10 * 24 * time.Hour).UTC().Format(time.RFC3339)
	body := map[string]any{"name": "dated", "scopes": scopes("tokens:read"), "expiresAt": at}
	if r := s.callWith("POST", "/tokens", s.admin, body, key); r.status != 201 {
		t.Fatalf("first: %d %s", r.status, r.body)
	}
	s.Clock.Advance(1500 * time.Millisecond)
	if r := s.callWith("POST", "/tokens", s.admin, body, key); r.status != 200 || r.header["Idempotent-Replayed"] != "true" {
		t.Fatalf("retry a moment later: %d %s, want 200 replayed", r.status, r.body)
	}
	// Days stay relative: the same expiresInDays later is the same request.
	dkey := map[string]string{"idempotency-key": "days-1"}
	dbody := map[string]any{"name": "relative", "scopes": scopes("tokens:read"), "expiresInDays": 3}
	s.callWith("POST", "/tokens", s.admin, dbody, dkey)
	s.Clock.Advance(time.Minute)
	if r := s.callWith("POST", "/tokens", s.admin, dbody, dkey); r.status != 200 {
		t.Fatalf("expiresInDays retry: %d %s", r.status, r.body)
	}
}

// A replay answers only a caller who may still make the copy: once the
// caller's scopes no longer cover the source, the retry is 403 like a new
// request, not the copy's view.
func TestCopyReplayChecksAuthorityFirst(t *testing.T) {
	t.Parallel()
	s := newStack(t, testkit.Env{"VALIDATE_CACHE_TTL": "0"})
	src := s.issue(s.admin, map[string]any{"name": "src", "scopes": scopes("tokens:read")})
	caller := s.issue(s.admin, map[string]any{"name": "copier", "scopes": scopes("tokens:read", "tokens:write")})
	key := map[string]string{"idempotency-key": "copy-cut"}
	if r := s.callWith("POST", "/tokens/"+src.ID+"/copy", caller.Token, map[string]any{"name": "dup"}, key); r.status != 201 {
		t.Fatalf("copy: %d %s", r.status, r.body)
	}
	if r := s.call("PATCH", "/tokens/"+caller.ID, s.admin, map[string]any{"scopes": scopes("tokens:write")}); r.status != 200 {
		t.Fatalf("cut the caller's scopes: %d %s", r.status, r.body)
	}
	r := s.callWith("POST", "/tokens/"+src.ID+"/copy", caller.Token, map[string]any{"name": "dup"}, key)
	if r.status != 403 {
		t.Fatalf("replay after the caller's scopes were cut: %d %s, want 403", r.status, r.body)
	}
}
