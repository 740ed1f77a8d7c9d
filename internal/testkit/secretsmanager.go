package testkit

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// SecretsManager is a Secrets Manager endpoint on a loopback httptest
// server answering GetSecretValue as the service documents it
// (https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_GetSecretValue.html):
// the awsJson1_1 protocol, a signed POST, ResourceNotFoundException for a
// secret it does not hold. Calls counts requests.
type SecretsManager struct {
	URL   string // the endpoint, for an aws.Config's BaseEndpoint
	t     testing.TB
	Calls atomic.Int64

	mu      sync.Mutex
	strings map[string]string
	binary  map[string][]byte
	empty   map[string]bool
	seenIDs []string
}

// NewSecretsManager starts the endpoint and a client, signed with static
// credentials, that calls it.
func NewSecretsManager(t testing.TB) (*SecretsManager, *secretsmanager.Client) {
	f := &SecretsManager{t: t, strings: map[string]string{}, binary: map[string][]byte{}, empty: map[string]bool{}}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	f.URL = srv.URL
	client := secretsmanager.NewFromConfig(aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("x", "y", ""),
		BaseEndpoint: aws.String(srv.URL),
		HTTPClient:   srv.Client(),
	})
	return f, client
}

// SetString makes id hold v as its SecretString.
func (f *SecretsManager) SetString(id string, v []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.binary, id)
	delete(f.empty, id)
	f.strings[id] = string(v)
}

// SetBinary makes id hold v as its SecretBinary.
func (f *SecretsManager) SetBinary(id string, v []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.strings, id)
	delete(f.empty, id)
	f.binary[id] = v
}

// SetEmpty makes id a secret whose version holds no value.
func (f *SecretsManager) SetEmpty(id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.strings, id)
	delete(f.binary, id)
	f.empty[id] = true
}

// ServeHTTP answers GetSecretValue.
func (f *SecretsManager) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.Calls.Add(1)
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

// LastSecretID is the SecretId of the last request, "" before any.
func (f *SecretsManager) LastSecretID() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.seenIDs) == 0 {
		return ""
	}
	return f.seenIDs[len(f.seenIDs)-1]
}
