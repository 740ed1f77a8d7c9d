package e2e_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"strings"
	"testing"

	"github.com/go-jose/go-jose/v4"
	"github.com/keymint/keymint/internal/testkit"
)

// An ID token pasted into a URL path reaches the local API's access log
// with its payload and signature masked, as a token's secret is.
func TestAccessLogMasksJWTsInPaths(t *testing.T) {
	t.Parallel()
	s := newLocalStack(t, stackOptions{})
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	jwt := testkit.SignJWT(t, jose.ES256, key, "k1", map[string]any{"sub": "alice", "email": "alice@example.test", "exp": 2000000000})
	for _, path := range []string{"/tokens/" + jwt, "/tokens/" + jwt + "/usage", "/nowhere/" + jwt} {
		s.do("GET", path, s.admin, nil, nil)
	}
	logs := s.logs.String()
	if !strings.Contains(logs, ".[REDACTED]") {
		t.Fatalf("no masked JWT in the access log; the test would prove nothing:\n%s", logs)
	}
	if rest := jwt[strings.Index(jwt, ".")+1:]; strings.Contains(logs, rest) || strings.Contains(logs, strings.Split(jwt, ".")[1]) {
		t.Fatalf("an ID token's payload reached the access log:\n%s", logs)
	}
}
