package api_test

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/keymint/keymint/internal/testkit"
	"github.com/keymint/keymint/shared/api"
)

// GET /tokens?status=live lists what still holds its name (active,
// inactive, expired) and leaves the revoked out, so a console's default
// page is full of live tokens however many were revoked.
func TestListLiveFilter(t *testing.T) {
	t.Parallel()
	s := newStack(t, testkit.Env{})
	kept := s.issue(s.admin, map[string]any{"name": "kept", "scopes": scopes("tokens:read"), "expiresInDays": 30})
	short := s.issue(s.admin, map[string]any{"name": "short", "scopes": scopes("tokens:read"), "expiresInDays": 1})
	gone := s.issue(s.admin, map[string]any{"name": "gone", "scopes": scopes("tokens:read")})
	if r := s.call("DELETE", "/tokens/"+gone.ID, s.admin, nil); r.status != http.StatusOK {
		t.Fatalf("revoke: %d %s", r.status, r.body)
	}
	s.Clock.Advance(2 * 24 * time.Hour) // short has expired
	listed := func(status string) []string {
		t.Helper()
		var page api.ListView[api.TokenView]
		s.call("GET", "/tokens?status="+status, s.admin, nil).decode(t, &page)
		var names []string
		for _, v := range page.Items {
			names = append(names, v.Name)
		}
		return names
	}
	live := listed("live")
	if !slices.Contains(live, kept.Name) || !slices.Contains(live, short.Name) || slices.Contains(live, gone.Name) {
		t.Errorf("status=live lists %v; want kept and short (expired), not gone (revoked)", live)
	}
	if all := listed(""); !slices.Contains(all, gone.Name) {
		t.Errorf("no status lists %v; want the revoked one too", all)
	}
	if r := s.call("GET", "/tokens?status=alive", s.admin, nil); r.status != http.StatusBadRequest || r.problem(t).Errors[0].Field != "status" {
		t.Errorf("status=alive: %d %s, want 400 naming status", r.status, r.body)
	}
}
