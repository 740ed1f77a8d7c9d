package keyring_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
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

// fakeSecretsManager speaks the awsJson1_1 GetSecretValue protocol.
type fakeSecretsManager struct {
	t     *testing.T
	calls atomic.Int64

	mu      sync.Mutex
	strings map[string]string
	binary  map[string][]byte
	empty   map[string]bool
	seenIDs []string
}

func newFakeSecretsManager(t *testing.T) (*fakeSecretsManager, *secretsmanager.Client) {
	f := &fakeSecretsManager{t: t, strings: map[string]string{}, binary: map[string][]byte{}, empty: map[string]bool{}}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	client := secretsmanager.NewFromConfig(aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("x", "y", ""),
		BaseEndpoint: aws.String(srv.URL),
		HTTPClient:   srv.Client(),
	})
	return f, client
}

func (f *fakeSecretsManager) setString(id string, v []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.binary, id)
	delete(f.empty, id)
	f.strings[id] = string(v)
}

func (f *fakeSecretsManager) setBinary(id string, v []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.strings, id)
	delete(f.empty, id)
	f.binary[id] = v
}

func (f *fakeSecretsManager) setEmpty(id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.strings, id)
	delete(f.binary, id)
	f.empty[id] = true
}

func (f *fakeSecretsManager) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.calls.Add(1)
	if r.Method != http.MethodPost || r.URL.Path != "/" {
		f.t.Errorf("fake Secrets Manager: got %s %s, want POST /", r.Method, r.URL.Path)
	}
	if got := r.Header.Get("X-Amz-Target"); got != "secretsmanager.GetSecretValue" {
		f.t.Errorf("fake Secrets Manager: X-Amz-Target = %q", got)
	}
	if got := r.Header.Get("Content-Type"); got != "application/x-amz-json-1.1" {
		f.t.Errorf("fake Secrets Manager: Content-Type = %q", got)
	}
	if r.Header.Get("Authorization") == "" {
		f.t.Errorf("fake Secrets Manager: request is not signed")
	}
	var in struct{ SecretId string }
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		f.t.Errorf("fake Secrets Manager: decoding request: %v", err)
	}

	f.mu.Lock()
	f.seenIDs = append(f.seenIDs, in.SecretId)
	s, isString := f.strings[in.SecretId]
	b, isBinary := f.binary[in.SecretId]
	isEmpty := f.empty[in.SecretId]
	f.mu.Unlock()

	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	if !isString && !isBinary && !isEmpty {
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(map[string]string{
			"__type":  "ResourceNotFoundException",
			"message": "Secrets Manager can't find the specified secret.",
		})
		return
	}
	out := map[string]any{
		"ARN":           "arn:aws:secretsmanager:us-east-1:123456789012:secret:" + in.SecretId + "-AbCdEf",
		"Name":          in.SecretId,
		"VersionId":     "01234567-89ab-cdef-0123-456789abcdef",
		"VersionStages": []string{"AWSCURRENT"},
		"CreatedDate":   1.7401632e9,
	}
	switch {
	case isString:
		out["SecretString"] = s
	case isBinary:
		out["SecretBinary"] = base64.StdEncoding.EncodeToString(b)
	}
	_ = json.NewEncoder(w).Encode(out)
}

func (f *fakeSecretsManager) lastSecretID() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.seenIDs) == 0 {
		return ""
	}
	return f.seenIDs[len(f.seenIDs)-1]
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
