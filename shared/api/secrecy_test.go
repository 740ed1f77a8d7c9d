package api_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/keymint/keymint/internal/testkit"
	"github.com/keymint/keymint/shared/api"
)

// A secret may appear in exactly one response: the one that issues it.
// Logs, later reads, lists and audit trails never hold it.
func TestSecretsNeverLoggedOrReturnedTwice(t *testing.T) {
	t.Parallel()
	var logs testkit.Buffer
	s := newLoggingStack(t, nil, &logs)
	v := s.issue(s.admin, map[string]any{"name": "s", "scopes": scopes("tokens:read")})
	regen := s.view(s.call("POST", "/tokens/"+v.ID+"/regenerate", s.admin, map[string]any{"graceSeconds": 60}))
	cp := s.view(s.call("POST", "/tokens/"+v.ID+"/copy", s.admin, map[string]any{"name": "s2"}))
	secrets := []string{s.admin, v.Token, regen.Token, cp.Token}

	var later bytes.Buffer
	for _, tok := range secrets {
		later.Write(s.call("GET", "/whoami", tok, nil).body)
	}
	tampered := v.Token[:len(v.Token)-1] + map[bool]string{true: "y", false: "x"}[strings.HasSuffix(v.Token, "x")]
	s.call("GET", "/whoami", tampered, nil)
	for _, path := range []string{"/tokens", "/tokens/" + v.ID, "/tokens/" + v.ID + "/audit", "/tokens/" + v.ID + "/usage", "/tokens/" + cp.ID + "/audit"} {
		later.Write(s.call("GET", path, s.admin, nil).body)
	}
	if !strings.Contains(logs.String(), v.ID) {
		t.Fatal("the log sink caught nothing; the test would prove nothing")
	}
	for i, tok := range append(secrets, tampered) {
		secret := tok[len(tok)-38 : len(tok)-6]
		if strings.Contains(logs.String(), secret) {
			t.Errorf("secret %d is in the logs", i)
		}
		if strings.Contains(later.String(), secret) {
			t.Errorf("secret %d came back in a later response", i)
		}
	}
	var list api.ListView[api.TokenView]
	s.call("GET", "/tokens", s.admin, nil).decode(t, &list)
	for _, it := range list.Items {
		if it.Token != "" {
			t.Fatalf("list shows a token: %s", it.ID)
		}
	}
}
