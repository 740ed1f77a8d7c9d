package api_test

import (
	"strings"
	"testing"

	"github.com/keymint/keymint/shared/api"
)

// An owner's status changes are on its own audit trail, for admins.
func TestOwnerAuditTrail(t *testing.T) {
	t.Parallel()
	s := newStack(t, nil)
	member := s.direct(map[string]any{"owner": "carol", "name": "c", "scopes": scopes("tokens:read", "tokens:write")})
	s.sourceIP = "192.0.2.77"
	for _, st := range []string{"disabled", "active"} {
		if r := s.call("PUT", "/owners/carol/status", s.admin, map[string]any{"status": st}); r.status != 200 {
			t.Fatalf("%s: %d %s", st, r.status, r.body)
		}
	}
	var page api.ListView[api.AuditView]
	s.call("GET", "/owners/carol/audit", s.admin, nil).decode(t, &page)
	var got []string
	for _, e := range page.Items {
		got = append(got, string(e.Action)+":"+e.Details["status"].(string))
		if e.Owner != "carol" || e.SourceIP != "192.0.2.77" || !strings.HasPrefix(e.Actor, "admin/") {
			t.Errorf("event %+v", e)
		}
	}
	if strings.Join(got, ",") != "owner_status:active,owner_status:disabled" {
		t.Fatalf("owner audit %v", got)
	}
	if r := s.call("GET", "/owners/carol/audit", member.Token, nil); r.status != 403 {
		t.Fatalf("a non-admin reading an owner's audit: %d", r.status)
	}
	if r := s.call("GET", "/owners/not%20an%20owner/audit", s.admin, nil); r.status != 400 {
		t.Fatalf("a bad owner name: %d %s", r.status, r.body)
	}
}
