package api_test

import (
	"slices"
	"testing"
	"time"

	"github.com/keymint/keymint/internal/testkit"
	"github.com/keymint/keymint/shared/api"
	"github.com/keymint/keymint/shared/validate"
)

// A token unused for INACTIVE_AFTER_DAYS is inactive at once, on every route,
// in the window before the sweeper writes that down: validate refuses it,
// reads and lists show it inactive, every change answers with it inactive,
// and activate makes it usable again.
func TestInactiveByTimeBeforeTheSweep(t *testing.T) {
	t.Parallel()
	s := newStack(t, testkit.Env{"VALIDATE_CACHE_TTL": "0"})
	admin := s.direct(map[string]any{"owner": "admin", "name": "long-admin", "scopes": scopes("tokens:admin"), "expiresInDays": 120}).Token
	idle := s.issue(admin, map[string]any{"name": "idle", "scopes": scopes("tokens:read"), "expiresInDays": 120})
	other := s.issue(admin, map[string]any{"name": "other", "scopes": scopes("tokens:read"), "expiresInDays": 120})
	// The admin keeps working; idle goes unused for 31 days (the default
	// window is 30); other is used on day 29.
	s.Clock.Advance(29 * 24 * time.Hour)
	s.call("GET", "/whoami", admin, nil)
	s.call("GET", "/whoami", other.Token, nil)
	s.Clock.Advance(2 * 24 * time.Hour)

	if got := s.active(idle.Token); got.Active || got.Reason != validate.Inactive {
		t.Fatalf("validate: %+v, want refused as inactive", got)
	}
	status := func(r response) string {
		t.Helper()
		return s.view(r).Status
	}
	listed := func(st string) []string {
		var page api.ListView[api.TokenView]
		s.call("GET", "/tokens?status="+st, admin, nil).decode(t, &page)
		var ids []string
		for _, v := range page.Items {
			ids = append(ids, v.ID)
		}
		return ids
	}
	if got := status(s.call("GET", "/tokens/"+idle.ID, admin, nil)); got != "inactive" {
		t.Errorf("GET shows %s", got)
	}
	if !slices.Contains(listed("inactive"), idle.ID) || slices.Contains(listed("active"), idle.ID) {
		t.Errorf("lists: inactive %v, active %v", listed("inactive"), listed("active"))
	}
	if !slices.Contains(listed("active"), other.ID) || slices.Contains(listed("inactive"), other.ID) {
		t.Errorf("a token used inside the window is listed inactive")
	}
	for _, c := range []struct{ method, path string }{
		{"PATCH", "/tokens/" + idle.ID},
		{"PUT", "/tokens/" + idle.ID + "/blocked-ips/192.0.2.1"},
		{"DELETE", "/tokens/" + idle.ID + "/blocked-ips/192.0.2.1"},
		{"POST", "/tokens/" + idle.ID + "/regenerate"},
	} {
		var body any
		if c.method == "PATCH" {
			body = map[string]any{"description": "still idle"}
		}
		if got := status(s.call(c.method, c.path, admin, body)); got != "inactive" {
			t.Errorf("%s %s answers %s, want inactive", c.method, c.path, got)
		}
	}
	if got := status(s.call("POST", "/tokens/"+idle.ID+"/activate", admin, nil)); got != "active" {
		t.Fatalf("activate answers %s", got)
	}
	regenerated := s.view(s.call("POST", "/tokens/"+idle.ID+"/regenerate", admin, nil))
	if got := s.active(regenerated.Token); !got.Active {
		t.Fatalf("after activate the token is refused: %+v", got)
	}
	if !slices.Contains(listed("active"), idle.ID) {
		t.Error("after activate the token is not listed active")
	}
	// Deactivate on a token inactive by time records it; activate undoes it.
	s.Clock.Advance(29 * 24 * time.Hour)
	s.call("GET", "/whoami", admin, nil)
	s.Clock.Advance(2 * 24 * time.Hour)
	if got := status(s.call("POST", "/tokens/"+other.ID+"/deactivate", admin, nil)); got != "inactive" {
		t.Errorf("deactivate answers %s", got)
	}
}
