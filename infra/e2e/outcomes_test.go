package e2e_test

import (
	"strings"
	"testing"

	"github.com/keymint/keymint/internal/faultproxy"
)

// TestAuthorizerOutcomesMatchDocs drives the real ValidateFunction
// through the local API for each row of docs/deploy.md's HTTP API table and checks
// the status and API Gateway's message are the ones AWS documents.
func TestAuthorizerOutcomesMatchDocs(t *testing.T) {
	t.Parallel()
	s, proxy := newFaultStack(t, map[string]string{"VALIDATE_CACHE_TTL": "0"}, 0)
	reader := s.opsIssue(map[string]any{"owner": "o", "name": "r", "scopes": []string{"orders:read"}})["token"].(string)
	revoked := s.opsIssue(map[string]any{"owner": "o", "name": "x", "scopes": []string{"tokens:read"}})
	s.do("DELETE", "/tokens/"+revoked["id"].(string), s.admin, nil, nil)
	rows := []struct {
		outcome string
		path    string
		token   string
		fault   bool
		status  int
		message string
	}{
		{"identity source missing", "/whoami", "", false, 401, "Unauthorized"},
		{"malformed token", "/whoami", "kmt_nope", false, 403, "Forbidden"},
		{"revoked token", "/whoami", revoked["token"].(string), false, 403, "Forbidden"},
		{"valid token, route not in its scopes", "/tokens", reader, false, 403, "Forbidden"},
		{"valid, route allowed", "/tokens", s.admin, false, 200, ""},
		{"table fault", "/whoami", s.admin, true, 500, "Internal Server Error"},
	}
	for _, r := range rows {
		if r.fault {
			if err := proxy.Inject(faultproxy.Rule{Kind: faultproxy.ServerError, Ops: []string{"GetItem"}}); err != nil {
				t.Fatal(err)
			}
		}
		got := s.do("GET", r.path, r.token, nil, nil)
		proxy.Clear()
		if got.status != r.status {
			t.Errorf("%s: %d %s, want %d", r.outcome, got.status, got.body, r.status)
			continue
		}
		if r.message != "" && strings.TrimSpace(string(got.body)) != `{"message":"`+r.message+`"}` {
			t.Errorf("%s: body %s, want API Gateway's %q", r.outcome, got.body, r.message)
		}
	}
}
