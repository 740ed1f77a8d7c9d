package keyring_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"

	"github.com/keymint/keymint/internal/testkit"
	"github.com/keymint/keymint/shared/clock"
	"github.com/keymint/keymint/shared/keyring"
	"github.com/keymint/keymint/shared/keyring/awssecret"
)

const secretID = "keymint/pepper"

func TestSecretsManagerResourceNotFound(t *testing.T) {
	t.Parallel()
	fake, client := testkit.NewSecretsManager(t)
	kr := keyring.New(awssecret.New(client, "no/such/secret"), clock.NewManual(t0), time.Minute)

	_, _, err := kr.Hash(t.Context(), "secret")
	var notFound *types.ResourceNotFoundException
	if !errors.As(err, &notFound) {
		t.Fatalf("Hash error = %v, want *types.ResourceNotFoundException in the chain", err)
	}
	if fake.Calls.Load() != 1 || fake.LastSecretID() != "no/such/secret" {
		t.Errorf("fake saw %d calls for %q, want 1 for no/such/secret", fake.Calls.Load(), fake.LastSecretID())
	}
	if err := kr.Load(t.Context()); !errors.As(err, &notFound) {
		t.Errorf("Load error = %v, want *types.ResourceNotFoundException", err)
	}
}

func TestRotation(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	fake, client := testkit.NewSecretsManager(t)
	fake.SetString(secretID, doc(t, "k1", map[string][]byte{"k1": key1}))
	clk := clock.NewManual(t0)
	kr := keyring.New(awssecret.New(client, secretID), clk, 5*time.Minute)

	id1, sum1, err := kr.Hash(ctx, "old-secret")
	if err != nil {
		t.Fatal(err)
	}
	if id1 != "k1" || !bytes.Equal(sum1, hmacOf(key1, "old-secret")) {
		t.Fatalf("Hash = %s/%x, want k1/HMAC(k1)", id1, sum1)
	}

	// Rotate: add k2 and make it current.
	fake.SetString(secretID, doc(t, "k2", map[string][]byte{"k1": key1, "k2": key2}))

	// The cache still says k1 until something forces a re-read.
	if id, _, err := kr.Hash(ctx, "x"); err != nil || id != "k1" {
		t.Fatalf("Hash before refresh = %s, %v; want k1 from cache", id, err)
	}
	if n := fake.Calls.Load(); n != 1 {
		t.Fatalf("calls before refresh = %d, want 1", n)
	}

	// A hash made elsewhere under k2 makes this keyring re-read once.
	ok, err := kr.Verify(ctx, "k2", "new-secret", hmacOf(key2, "new-secret"))
	if err != nil || !ok {
		t.Fatalf("Verify under k2 = %v, %v; want true after one refresh", ok, err)
	}
	if n := fake.Calls.Load(); n != 2 {
		t.Fatalf("calls after unknown key = %d, want 2", n)
	}

	// Old hashes still verify; new ones use k2.
	if ok, err := kr.Verify(ctx, "k1", "old-secret", sum1); err != nil || !ok {
		t.Errorf("Verify of k1 hash after rotation = %v, %v; want true", ok, err)
	}
	id, sum, err := kr.Hash(ctx, "new-secret")
	if err != nil || id != "k2" || !bytes.Equal(sum, hmacOf(key2, "new-secret")) {
		t.Errorf("Hash after rotation = %s/%x, %v; want k2/HMAC(k2)", id, sum, err)
	}
	if n := fake.Calls.Load(); n != 2 {
		t.Errorf("calls = %d, want 2 (known keys need no read)", n)
	}
}

func TestUnknownKeyRefreshIsRateLimited(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	fake, client := testkit.NewSecretsManager(t)
	fake.SetString(secretID, doc(t, "k1", map[string][]byte{"k1": key1}))
	clk := clock.NewManual(t0)
	// No age-based refresh, so every read below is caused by unknown keys.
	kr := keyring.New(awssecret.New(client, secretID), clk, 0)
	if err := kr.Load(ctx); err != nil {
		t.Fatal(err)
	}

	steps := []struct {
		name      string
		at        time.Duration // since t0
		addK9     bool
		wantOK    bool
		wantCalls int64
	}{
		{"first unknown key refreshes", 0, false, false, 2},
		{"second within a minute does not", 0, false, false, 2},
		{"still limited at 59s", 59 * time.Second, false, false, 2},
		{"key added but still limited", 59 * time.Second, true, false, 2},
		{"allowed again after 61s", 61 * time.Second, false, true, 3},
		{"now known: no read", 62 * time.Second, false, true, 3},
	}
	for _, st := range steps {
		clk.Set(t0.Add(st.at))
		if st.addK9 {
			fake.SetString(secretID, doc(t, "k1", map[string][]byte{"k1": key1, "k9": key9}))
		}
		ok, err := kr.Verify(ctx, "k9", "s", hmacOf(key9, "s"))
		if st.wantOK {
			if err != nil || !ok {
				t.Errorf("%s: Verify = %v, %v; want true", st.name, ok, err)
			}
		} else if !errors.Is(err, keyring.ErrUnknownKey) || ok {
			t.Errorf("%s: Verify = %v, %v; want ErrUnknownKey", st.name, ok, err)
		}
		if n := fake.Calls.Load(); n != st.wantCalls {
			t.Errorf("%s: calls = %d, want %d", st.name, n, st.wantCalls)
		}
	}
}

func TestUnknownKeyConcurrentCallersShareOneRead(t *testing.T) {
	t.Parallel()
	src := &memSource{}
	src.set(doc(t, "k1", map[string][]byte{"k1": key1}), nil)
	kr := keyring.New(src, clock.NewManual(t0), 0)
	if err := kr.Load(t.Context()); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			if _, err := kr.Verify(t.Context(), "nope", "s", nil); !errors.Is(err, keyring.ErrUnknownKey) {
				t.Errorf("Verify error = %v, want ErrUnknownKey", err)
			}
		})
	}
	wg.Wait()
	if n := src.loads.Load(); n != 2 {
		t.Errorf("loads = %d, want 2 (cold start + one refresh)", n)
	}
}

func TestAgeRefresh(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		refreshEvery time.Duration
		advance      time.Duration
		wantLoads    int64
		wantKeyID    string
	}{
		{"fresh cache is used", 5 * time.Minute, 4 * time.Minute, 1, "k1"},
		{"stale cache is re-read", 5 * time.Minute, 5 * time.Minute, 2, "k2"},
		{"zero interval never re-reads on age", 0, 1000 * time.Hour, 1, "k1"},
		{"negative interval never re-reads on age", -time.Second, 1000 * time.Hour, 1, "k1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := &memSource{}
			src.set(doc(t, "k1", map[string][]byte{"k1": key1}), nil)
			clk := clock.NewManual(t0)
			kr := keyring.New(src, clk, tt.refreshEvery)
			if _, _, err := kr.Hash(t.Context(), "s"); err != nil {
				t.Fatal(err)
			}
			src.set(doc(t, "k2", map[string][]byte{"k1": key1, "k2": key2}), nil)
			clk.Advance(tt.advance)
			id, _, err := kr.Hash(t.Context(), "s")
			if err != nil || id != tt.wantKeyID {
				t.Errorf("Hash key id = %q, %v; want %q", id, err, tt.wantKeyID)
			}
			if n := src.loads.Load(); n != tt.wantLoads {
				t.Errorf("loads = %d, want %d", n, tt.wantLoads)
			}
		})
	}
}

func TestFailedRefreshKeepsServingCache(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	outage := errors.New("secrets manager unavailable")
	src := &memSource{}
	src.set(doc(t, "k1", map[string][]byte{"k1": key1}), nil)
	clk := clock.NewManual(t0)
	kr := keyring.New(src, clk, 5*time.Minute)
	_, sum, err := kr.Hash(ctx, "s")
	if err != nil {
		t.Fatal(err)
	}
	src.set(nil, outage)

	steps := []struct {
		name      string
		advance   time.Duration
		wantLoads int64
	}{
		{"stale: re-read fails, cache serves", 5 * time.Minute, 2},
		{"failed read is not retried at once", 30 * time.Second, 2},
		{"retried a minute later", 31 * time.Second, 3},
	}
	for _, st := range steps {
		clk.Advance(st.advance)
		id, got, err := kr.Hash(ctx, "s")
		if err != nil || id != "k1" || !bytes.Equal(got, sum) {
			t.Errorf("%s: Hash = %s/%x, %v; want cached k1 hash and no error", st.name, id, got, err)
		}
		if ok, err := kr.Verify(ctx, "k1", "s", sum); err != nil || !ok {
			t.Errorf("%s: Verify = %v, %v; want true", st.name, ok, err)
		}
		if n := src.loads.Load(); n != st.wantLoads {
			t.Errorf("%s: loads = %d, want %d", st.name, n, st.wantLoads)
		}
	}

	// Asked explicitly, Load does report the failure.
	if err := kr.Load(ctx); !errors.Is(err, outage) {
		t.Errorf("Load error = %v, want the source error", err)
	}
	// An unknown key during the outage reports both facts.
	clk.Advance(2 * time.Minute)
	_, err = kr.Verify(ctx, "k2", "s", sum)
	if !errors.Is(err, keyring.ErrUnknownKey) || !errors.Is(err, outage) {
		t.Errorf("Verify unknown key during outage error = %v, want ErrUnknownKey and the source error", err)
	}
}

func TestNoKeyringIsAnError(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		raw  []byte
		err  error
		want error
	}{
		{"source fails", nil, errors.New("boom"), nil},
		{"source holds an invalid keyring", []byte(`{"current":"k1","keys":{}}`), nil, keyring.ErrInvalidKeyring},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := tt.want
			if want == nil {
				want = tt.err
			}
			src := &memSource{}
			src.set(tt.raw, tt.err)
			kr := keyring.New(src, clock.NewManual(t0), time.Minute)
			if _, _, err := kr.Hash(t.Context(), "s"); !errors.Is(err, want) {
				t.Errorf("Hash error = %v, want %v", err, want)
			}
			if _, err := kr.Verify(t.Context(), "k1", "s", nil); !errors.Is(err, want) {
				t.Errorf("Verify error = %v, want %v", err, want)
			}
			// The second call falls inside the first back-off: one read.
			if n := src.loads.Load(); n != 1 {
				t.Errorf("loads = %d, want 1", n)
			}
		})
	}
}

// Until a keyring first loads, failed reads back off (1 s, doubling to a
// minute), so a flood of requests is not a flood of GetSecretValue calls;
// once a good keyring appears it is used at the next read.
func TestNoKeyringBacksOff(t *testing.T) {
	t.Parallel()
	src := &memSource{}
	src.set([]byte(`{"current":"","keys":{}}`), nil) // the stack's placeholder
	clk := clock.NewManual(t0)
	kr := keyring.New(src, clk, 15*time.Minute)
	steps := []struct {
		advance time.Duration
		calls   int
		loads   int64
	}{
		{0, 50, 1},                // first read fails; the rest wait out 1 s
		{time.Second, 10, 2},      // then 2 s
		{time.Second, 10, 2},      // still inside the 2 s
		{time.Second, 10, 3},      // then 4 s
		{10 * time.Minute, 10, 4}, // capped at a minute, never more
	}
	for i, st := range steps {
		clk.Advance(st.advance)
		for range st.calls {
			if _, _, err := kr.Hash(t.Context(), "s"); !errors.Is(err, keyring.ErrInvalidKeyring) {
				t.Fatalf("step %d: Hash error = %v, want ErrInvalidKeyring", i, err)
			}
		}
		if n := src.loads.Load(); n != st.loads {
			t.Fatalf("step %d: loads = %d, want %d", i, n, st.loads)
		}
	}
	src.set(doc(t, "k1", map[string][]byte{"k1": key1}), nil)
	clk.Advance(time.Minute)
	if _, _, err := kr.Hash(t.Context(), "s"); err != nil {
		t.Fatalf("after the real keyring was put: %v", err)
	}
}

func TestColdStartSingleFlight(t *testing.T) {
	t.Parallel()
	src := newGatedSource(doc(t, "k1", map[string][]byte{"k1": key1}))
	kr := keyring.New(src, clock.System{}, time.Hour)
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			if id, _, err := kr.Hash(t.Context(), "s"); err != nil || id != "k1" {
				t.Errorf("Hash = %q, %v", id, err)
			}
		})
	}
	<-src.entered
	time.Sleep(50 * time.Millisecond) // let the other callers pile onto the read
	close(src.release)
	wg.Wait()
	if n := src.loads.Load(); n != 1 {
		t.Errorf("loads = %d, want 1", n)
	}
}

func TestAbandonedReadIsRetriedByWaiter(t *testing.T) {
	t.Parallel()
	src := newGatedSource(doc(t, "k1", map[string][]byte{"k1": key1}))
	kr := keyring.New(src, clock.System{}, time.Hour)

	leaderCtx, cancel := context.WithCancel(t.Context())
	leaderErr := make(chan error, 1)
	go func() {
		_, _, err := kr.Hash(leaderCtx, "s")
		leaderErr <- err
	}()
	select {
	case <-src.entered:
	case <-time.After(5 * time.Second):
		t.Fatal("leader never read")
	}

	waiterErr := make(chan error, 1)
	go func() {
		_, _, err := kr.Hash(t.Context(), "s")
		waiterErr <- err
	}()
	time.Sleep(50 * time.Millisecond) // let the waiter join the leader's read
	cancel()
	if err := <-leaderErr; !errors.Is(err, context.Canceled) {
		t.Fatalf("leader error = %v, want context.Canceled", err)
	}
	select {
	case <-src.entered: // the waiter starts its own read
	case err := <-waiterErr:
		t.Fatalf("waiter returned %v without reading again", err)
	case <-time.After(5 * time.Second):
		t.Fatal("waiter never started its own read")
	}
	close(src.release)
	select {
	case err := <-waiterErr:
		if err != nil {
			t.Fatalf("waiter error = %v, want success on its own read", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("waiter did not finish")
	}
	if n := src.loads.Load(); n != 2 {
		t.Errorf("loads = %d, want 2", n)
	}
}

func TestVerify(t *testing.T) {
	t.Parallel()
	kr := keyring.New(keyring.StaticSource(doc(t, "k2", map[string][]byte{"k1": key1, "k2": key2})), clock.NewManual(t0), 0)
	ctx := t.Context()
	id, sum, err := kr.Hash(ctx, "the-secret")
	if err != nil {
		t.Fatal(err)
	}
	flipped := bytes.Clone(sum)
	flipped[len(flipped)-1] ^= 1
	tests := []struct {
		name   string
		keyID  string
		secret string
		sum    []byte
		want   bool
	}{
		{"matching", id, "the-secret", sum, true},
		{"older key", "k1", "the-secret", hmacOf(key1, "the-secret"), true},
		{"tampered secret", id, "the-secreT", sum, false},
		{"secret with trailing newline", id, "the-secret\n", sum, false},
		{"flipped bit", id, "the-secret", flipped, false},
		{"short sum", id, "the-secret", sum[:31], false},
		{"long sum", id, "the-secret", append(bytes.Clone(sum), 0), false},
		{"empty sum", id, "the-secret", nil, false},
		{"hash under other key", "k1", "the-secret", sum, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := kr.Verify(ctx, tt.keyID, tt.secret, tt.sum)
			if err != nil {
				t.Fatalf("Verify error = %v", err)
			}
			if got != tt.want {
				t.Errorf("Verify = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestEnsureFileAndFileSource(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "nested", ".local", "keyring.json")

	created, err := keyring.EnsureFile(path)
	if err != nil || !created {
		t.Fatalf("EnsureFile = %v, %v; want created", created, err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm != 0o600 {
		t.Errorf("file mode = %o, want 600", perm)
	}
	if dirInfo, err := os.Stat(filepath.Dir(path)); err != nil || dirInfo.Mode().Perm() != 0o700 {
		t.Errorf("directory mode = %v, %v; want 700", dirInfo.Mode().Perm(), err)
	}
	first, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := keyring.ParseKeys(first)
	if err != nil {
		t.Fatalf("created file does not parse: %v", err)
	}
	if keys.Current != "k1" || len(keys.Keys) != 1 || len(keys.Keys["k1"]) != keyring.MinKeyLen {
		t.Errorf("created keyring = %v with %d-byte k1, want one 32-byte k1", keys, len(keys.Keys["k1"]))
	}

	created, err = keyring.EnsureFile(path)
	if err != nil || created {
		t.Fatalf("second EnsureFile = %v, %v; want no-op", created, err)
	}
	if again, _ := os.ReadFile(path); !bytes.Equal(again, first) {
		t.Error("second EnsureFile changed the file")
	}
	assertNoTempFiles(t, filepath.Dir(path))

	kr := keyring.New(keyring.NewFileSource(path), clock.NewManual(t0), time.Minute)
	id, sum, err := kr.Hash(ctx, "secret")
	if err != nil || id != "k1" {
		t.Fatalf("Hash = %q, %v", id, err)
	}
	if !bytes.Equal(sum, hmacOf(keys.Keys["k1"], "secret")) {
		t.Error("Hash does not use the file's key")
	}
	for _, tt := range []struct {
		secret string
		sum    []byte
		want   bool
	}{
		{"secret", sum, true},
		{"secreT", sum, false},
		{"secret", sum[:16], false},
	} {
		if ok, err := kr.Verify(ctx, id, tt.secret, tt.sum); err != nil || ok != tt.want {
			t.Errorf("Verify(%q, %d-byte sum) = %v, %v; want %v", tt.secret, len(tt.sum), ok, err, tt.want)
		}
	}
}

func TestEnsureFileConcurrent(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "keyring.json")
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		created int
	)
	for range 16 {
		wg.Go(func() {
			c, err := keyring.EnsureFile(path)
			if err != nil {
				t.Errorf("EnsureFile: %v", err)
			}
			if c {
				mu.Lock()
				created++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if created != 1 {
		t.Errorf("%d callers report creating the file, want exactly 1", created)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := keyring.ParseKeys(raw); err != nil {
		t.Errorf("file does not parse: %v", err)
	}
	assertNoTempFiles(t, dir)
}

func TestFileSourceMissingFile(t *testing.T) {
	t.Parallel()
	_, err := keyring.NewFileSource(filepath.Join(t.TempDir(), "missing.json")).Load(t.Context())
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Load error = %v, want os.ErrNotExist", err)
	}
}

func assertNoTempFiles(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("directory holds %v, want only the keyring file", names)
	}
}

func TestParseKeysInvalid(t *testing.T) {
	t.Parallel()
	short := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 31))
	good := base64.StdEncoding.EncodeToString(key1)
	tests := []struct {
		name string
		raw  string
	}{
		{"empty input", ``},
		{"bad JSON", `{"current":"k1","keys":{"k1":"` + good + `"}`},
		{"trailing data", `{"current":"k1","keys":{"k1":"` + good + `"}} {}`},
		{"JSON null", `null`},
		{"not an object", `"k1"`},
		{"empty object", `{}`},
		{"no keys", `{"current":"k1","keys":{}}`},
		{"current missing", `{"keys":{"k1":"` + good + `"}}`},
		{"current not among keys", `{"current":"k2","keys":{"k1":"` + good + `"}}`},
		{"short key", `{"current":"k1","keys":{"k1":"` + short + `"}}`},
		{"short non-current key", `{"current":"k1","keys":{"k1":"` + good + `","k0":"` + short + `"}}`},
		{"empty key", `{"current":"k1","keys":{"k1":""}}`},
		{"null key", `{"current":"k1","keys":{"k1":null}}`},
		{"bad base64", `{"current":"k1","keys":{"k1":"!!` + good[2:] + `"}}`},
		{"URL-safe base64", `{"current":"k1","keys":{"k1":"` + base64.URLEncoding.EncodeToString(bytes.Repeat([]byte{0xfb}, 33)) + `"}}`},
		{"key is a number", `{"current":"k1","keys":{"k1":42}}`},
		{"empty key id", `{"current":"k1","keys":{"k1":"` + good + `","":"` + good + `"}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := keyring.ParseKeys([]byte(tt.raw))
			if !errors.Is(err, keyring.ErrInvalidKeyring) {
				t.Fatalf("ParseKeys error = %v, want ErrInvalidKeyring", err)
			}
			if strings.Contains(err.Error(), good) || strings.Contains(err.Error(), short) {
				t.Errorf("error message contains key material: %v", err)
			}
		})
	}
}

func TestParseKeysValid(t *testing.T) {
	t.Parallel()
	keys, err := keyring.ParseKeys(doc(t, "k2", map[string][]byte{"k1": key1, "k2": key2}))
	if err != nil {
		t.Fatal(err)
	}
	if keys.Current != "k2" || len(keys.Keys) != 2 || !bytes.Equal(keys.Keys["k1"], key1) || !bytes.Equal(keys.Keys["k2"], key2) {
		t.Errorf("ParseKeys = current %q, %d keys; want k2 with k1 and k2 decoded", keys.Current, len(keys.Keys))
	}
}

func TestKeysNeverPrintMaterial(t *testing.T) {
	t.Parallel()
	keys, err := keyring.ParseKeys(doc(t, "k1", map[string][]byte{"k1": key1}))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("loaded", "keys", keys)
	outputs := []string{buf.String(), fmt.Sprintf("%v %+v %#v %s %x", keys, keys, keys, keys, keys), fmt.Sprint(&keys)}
	material := []string{fmt.Sprint(key1), fmt.Sprintf("%x", key1), base64.StdEncoding.EncodeToString(key1), string(key1)}
	for _, out := range outputs {
		if !strings.Contains(out, "k1") {
			t.Errorf("output omits the key id: %s", out)
		}
		for _, m := range material {
			if strings.Contains(out, m) {
				t.Errorf("output contains key material: %s", out)
			}
		}
	}
}

func TestNewKeyringJSON(t *testing.T) {
	t.Parallel()
	a, err := keyring.NewKeyringJSON("k7")
	if err != nil {
		t.Fatal(err)
	}
	b, err := keyring.NewKeyringJSON("k7")
	if err != nil {
		t.Fatal(err)
	}
	ka, err := keyring.ParseKeys(a)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := keyring.ParseKeys(b)
	if err != nil {
		t.Fatal(err)
	}
	if ka.Current != "k7" || bytes.Equal(ka.Keys["k7"], kb.Keys["k7"]) {
		t.Errorf("NewKeyringJSON: current %q, keys equal %v; want k7 and fresh keys", ka.Current, bytes.Equal(ka.Keys["k7"], kb.Keys["k7"]))
	}
	if _, err := keyring.NewKeyringJSON(""); !errors.Is(err, keyring.ErrInvalidKeyring) {
		t.Errorf("NewKeyringJSON(\"\") error = %v, want ErrInvalidKeyring", err)
	}
}

func BenchmarkHash(b *testing.B) {
	kr := keyring.New(keyring.StaticSource(doc(b, "k1", map[string][]byte{"k1": key1})), clock.System{}, time.Hour)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := kr.Hash(ctx, "GHIJKLMNOPQRSTUVWXYZabcdefghijkl"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerify(b *testing.B) {
	kr := keyring.New(keyring.StaticSource(doc(b, "k1", map[string][]byte{"k1": key1})), clock.System{}, time.Hour)
	ctx := context.Background()
	id, sum, err := kr.Hash(ctx, "GHIJKLMNOPQRSTUVWXYZabcdefghijkl")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if ok, err := kr.Verify(ctx, id, "GHIJKLMNOPQRSTUVWXYZabcdefghijkl", sum); err != nil || !ok {
				b.Fatal(ok, err)
			}
		}
	})
}
