package e2e_test

import (
	"strings"
	"testing"
)

// A token pasted into a URL path reaches the local API's access log masked.
func TestAccessLogMasksTokensInPaths(t *testing.T) {
	t.Parallel()
	s := newLocalStack(t, stackOptions{})
	for _, path := range []string{"/tokens/" + s.admin, "/tokens/" + s.admin + "/usage", "/nowhere/" + s.admin} {
		s.do("GET", path, s.admin, nil, nil)
	}
	logs := s.logs.String()
	secret := s.admin[len(s.admin)-38:]
	if !strings.Contains(logs, "_[REDACTED]") {
		t.Fatalf("no masked token in the access log; the test would prove nothing:\n%s", logs)
	}
	if strings.Contains(logs, secret) {
		t.Fatalf("a secret reached the access log:\n%s", logs)
	}
}
