package api_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/keymint/keymint/internal/testkit"
	"github.com/keymint/keymint/shared/api"
	"github.com/keymint/keymint/shared/validate"
)

// active asks validate directly whether a plaintext token is accepted now.
func (s *stack) active(tok string) validate.DirectResponse {
	s.t.Helper()
	raw, _ := json.Marshal(validate.DirectRequest{Token: tok})
	out, err := s.handlers["validate"].Invoke(context.Background(), raw)
	if err != nil {
		s.t.Fatalf("validate: %v", err)
	}
	var r validate.DirectResponse
	if err := json.Unmarshal(out, &r); err != nil {
		s.t.Fatal(err)
	}
	return r
}

func (s *stack) view(r response) api.TokenView {
	s.t.Helper()
	if r.status >= 300 {
		s.t.Fatalf("status %d: %s", r.status, r.body)
	}
	var v api.TokenView
	r.decode(s.t, &v)
	return v
}

func TestEdit(t *testing.T) {
	t.Parallel()
	s := newStack(t, nil)
	v := s.issue(s.admin, map[string]any{"name": "old", "scopes": scopes("tokens:read", "tokens:write")})
	path := "/tokens/" + v.ID

	got := s.view(s.call("PATCH", path, s.admin, map[string]any{"name": "new", "description": "renamed", "allowedCidrs": []string{"10.0.0.0/8"}, "scopes": scopes("tokens:read")}))
	if got.Name != "new" || got.Description != "renamed" || strings.Join(got.Scopes, ",") != "tokens:read" || strings.Join(got.AllowedCIDRs, ",") != "10.0.0.0/8" {
		t.Fatalf("after edit: %+v", got)
	}
	s.issue(s.admin, map[string]any{"name": "old", "scopes": scopes("tokens:read")}) // the old name is free
	if r := s.call("POST", "/tokens", s.admin, map[string]any{"name": "new", "scopes": scopes("tokens:read")}); r.status != 409 {
		t.Fatalf("the new name must be reserved: %d", r.status)
	}
	cases := []struct {
		name string
		body any
		want int
	}{
		{"widen scopes", map[string]any{"scopes": scopes("tokens:read", "tokens:write")}, 400},
		{"expiry beyond maximum", map[string]any{"expiresAt": testkit.Start.Add(400 * 24 * time.Hour).Format(time.RFC3339)}, 400},
		{"bad name", map[string]any{"name": "no/slash"}, 400},
		{"rename onto a live name", map[string]any{"name": "old"}, 409},
		{"unknown field", map[string]any{"owner": "bob"}, 400},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := s.itemCount()
			r := s.call("PATCH", path, s.admin, c.body)
			if r.status != c.want {
				t.Fatalf("status %d, want %d: %s", r.status, c.want, r.body)
			}
			r.problem(t)
			if s.itemCount() != before {
				t.Fatal("a refused edit wrote something")
			}
		})
	}
	s.call("DELETE", path, s.admin, nil)
	if r := s.call("PATCH", path, s.admin, map[string]any{"description": "x"}); r.status != 409 {
		t.Fatalf("editing a revoked token: %d", r.status)
	}
}

func TestRegenerateGraceWindow(t *testing.T) {
	t.Parallel()
	s := newStack(t, testkit.Env{"VALIDATE_CACHE_TTL": "0"})
	v := s.issue(s.admin, map[string]any{"name": "roll", "scopes": scopes("tokens:read"), "description": "keep me"})

	withGrace := s.view(s.call("POST", "/tokens/"+v.ID+"/regenerate", s.admin, map[string]any{"graceSeconds": 600}))
	if withGrace.ID != v.ID || withGrace.Token == "" || withGrace.Token == v.Token || withGrace.Description != "keep me" {
		t.Fatalf("regenerated: %+v", withGrace)
	}
	if withGrace.PrevValidUntil == nil || !withGrace.PrevValidUntil.Equal(testkit.Start.Add(600*time.Second)) {
		t.Fatalf("prevValidUntil = %v", withGrace.PrevValidUntil)
	}
	if !s.active(v.Token).Active || !s.active(withGrace.Token).Active {
		t.Fatal("both secrets must work inside the grace window")
	}
	s.Clock.Advance(601 * time.Second)
	if s.active(v.Token).Active || !s.active(withGrace.Token).Active {
		t.Fatal("after the grace window only the new secret works")
	}
	noGrace := s.view(s.call("POST", "/tokens/"+v.ID+"/regenerate", s.admin, nil))
	if s.active(withGrace.Token).Active || !s.active(noGrace.Token).Active {
		t.Fatal("without grace the previous secret stops at once")
	}
	if r := s.call("POST", "/tokens/"+v.ID+"/regenerate", s.admin, map[string]any{"graceSeconds": 604801}); r.status != 400 {
		t.Fatalf("grace over 7 days: %d", r.status)
	}
	s.call("DELETE", "/tokens/"+v.ID, s.admin, nil)
	if r := s.call("POST", "/tokens/"+v.ID+"/regenerate", s.admin, nil); r.status != 409 {
		t.Fatalf("regenerating a revoked token: %d", r.status)
	}
}

func TestRegenerateExpiredButRetained(t *testing.T) {
	t.Parallel()
	s := newStack(t, testkit.Env{"VALIDATE_CACHE_TTL": "0"})
	v := s.issue(s.admin, map[string]any{"name": "exp", "scopes": scopes("tokens:read"), "expiresInDays": 2})
	s.Clock.Advance(3 * 24 * time.Hour)
	if s.active(v.Token).Reason != validate.Expired {
		t.Fatal("token should be expired")
	}
	next := s.view(s.call("POST", "/tokens/"+v.ID+"/regenerate", s.admin, nil))
	if next.Status != "active" || !next.ExpiresAt.Equal(testkit.Start.Add(5*24*time.Hour)) || !s.active(next.Token).Active {
		t.Fatalf("regenerated expired token: status %s expires %v", next.Status, next.ExpiresAt)
	}
}

func TestConcurrentRegenerateLeavesExactlyOneSecret(t *testing.T) {
	t.Parallel()
	s := newStack(t, testkit.Env{"VALIDATE_CACHE_TTL": "0"})
	v := s.issue(s.admin, map[string]any{"name": "race", "scopes": scopes("tokens:read")})
	const n = 6
	var wg sync.WaitGroup
	results := make([]response, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = s.call("POST", "/tokens/"+v.ID+"/regenerate", s.admin, nil)
		}()
	}
	wg.Wait()
	var secrets []string
	for _, r := range results {
		switch r.status {
		case 200:
			var got api.TokenView
			r.decode(t, &got)
			secrets = append(secrets, got.Token)
		case 409:
		default:
			t.Fatalf("regenerate answered %d: %s", r.status, r.body)
		}
	}
	if len(secrets) == 0 {
		t.Fatal("no regenerate won")
	}
	valid := 0
	for _, sec := range append(secrets, v.Token) {
		if s.active(sec).Active {
			valid++
		}
	}
	if valid != 1 {
		t.Fatalf("%d winners, %d valid secrets afterwards; want exactly 1 valid", len(secrets), valid)
	}
}

func TestCopy(t *testing.T) {
	t.Parallel()
	s := newStack(t, nil)
	src := s.issue(s.admin, map[string]any{"name": "src", "scopes": scopes("orders:read"), "description": "d", "expiresInDays": 10, "allowedCidrs": []string{"10.0.0.0/8"}})
	s.Clock.Advance(24 * time.Hour)
	r := s.call("POST", "/tokens/"+src.ID+"/copy", s.admin, map[string]any{"name": "dst"})
	if r.status != 201 {
		t.Fatalf("copy: %d %s", r.status, r.body)
	}
	var cp api.TokenView
	r.decode(t, &cp)
	if cp.ID == src.ID || cp.Token == "" || cp.Name != "dst" || cp.Description != "d" ||
		strings.Join(cp.Scopes, ",") != "orders:read" || strings.Join(cp.AllowedCIDRs, ",") != "10.0.0.0/8" ||
		cp.ExpiresAt.Sub(cp.CreatedAt) != 10*24*time.Hour {
		t.Fatalf("copy: %+v", cp)
	}
	if r := s.call("POST", "/tokens/"+src.ID+"/copy", s.admin, map[string]any{"name": "src"}); r.status != 409 {
		t.Fatalf("copy onto a live name: %d", r.status)
	}
	reader := s.direct(map[string]any{"owner": "admin", "name": "w", "scopes": scopes("tokens:read", "tokens:write")})
	if r := s.call("POST", "/tokens/"+src.ID+"/copy", reader.Token, map[string]any{"name": "esc"}); r.status != 403 {
		t.Fatalf("copying scopes the caller lacks: %d", r.status)
	}
}

func TestDeactivateActivate(t *testing.T) {
	t.Parallel()
	s := newStack(t, testkit.Env{"VALIDATE_CACHE_TTL": "0"})
	v := s.issue(s.admin, map[string]any{"name": "sw", "scopes": scopes("tokens:read"), "expiresInDays": 5})
	if got := s.view(s.call("POST", "/tokens/"+v.ID+"/deactivate", s.admin, nil)); got.Status != "inactive" {
		t.Fatalf("deactivate: %s", got.Status)
	}
	if r := s.call("GET", "/whoami", v.Token, nil); r.status != 403 {
		t.Fatalf("inactive token: %d", r.status)
	}
	if s.active(v.Token).Reason != validate.Inactive {
		t.Fatal("reason should be inactive")
	}
	if got := s.view(s.call("POST", "/tokens/"+v.ID+"/activate", s.admin, nil)); got.Status != "active" {
		t.Fatalf("activate: %s", got.Status)
	}
	if r := s.call("GET", "/whoami", v.Token, nil); r.status != 200 {
		t.Fatalf("re-activated token: %d", r.status)
	}
	s.call("POST", "/tokens/"+v.ID+"/deactivate", s.admin, nil)
	s.Clock.Advance(6 * 24 * time.Hour)
	if r := s.call("POST", "/tokens/"+v.ID+"/activate", s.admin, nil); r.status != 409 {
		t.Fatalf("activating an expired token: %d", r.status)
	}
	other := s.issue(s.admin, map[string]any{"name": "rv", "scopes": scopes("tokens:read")})
	s.call("DELETE", "/tokens/"+other.ID, s.admin, nil)
	if r := s.call("POST", "/tokens/"+other.ID+"/activate", s.admin, nil); r.status != 409 {
		t.Fatalf("activating a revoked token: %d", r.status)
	}
}

func TestIPControlsAndUsage(t *testing.T) {
	t.Parallel()
	s := newStack(t, testkit.Env{"VALIDATE_CACHE_TTL": "0", "LAST_USED_INTERVAL": "0"})
	v := s.issue(s.admin, map[string]any{"name": "ip", "scopes": scopes("tokens:read"), "allowedCidrs": []string{"198.51.100.0/24", "2001:db8::/32"}})
	s.sourceIP = "198.51.100.7"
	if r := s.call("GET", "/whoami", v.Token, nil); r.status != 200 {
		t.Fatalf("inside allowedCidrs: %d", r.status)
	}
	s.sourceIP = "2001:db8::9"
	if r := s.call("GET", "/whoami", v.Token, nil); r.status != 200 {
		t.Fatalf("inside allowedCidrs (v6): %d", r.status)
	}
	s.sourceIP = "203.0.113.5"
	if r := s.call("GET", "/whoami", v.Token, nil); r.status != 403 {
		t.Fatalf("outside allowedCidrs: %d", r.status)
	}
	s.sourceIP = "198.51.100.7"
	if got := s.view(s.call("PUT", "/tokens/"+v.ID+"/blocked-ips/198.51.100.7", s.admin, nil)); strings.Join(got.BlockedIPs, ",") != "198.51.100.7" {
		t.Fatalf("blocked: %v", got.BlockedIPs)
	}
	if r := s.call("GET", "/whoami", v.Token, nil); r.status != 403 {
		t.Fatalf("blocked ip: %d", r.status)
	}
	if r := s.call("PUT", "/tokens/"+v.ID+"/blocked-ips/not-an-ip", s.admin, nil); r.status != 400 {
		t.Fatalf("blocking junk: %d", r.status)
	}
	s.sourceIP = "192.0.2.1" // the admin calls from elsewhere
	s.call("DELETE", "/tokens/"+v.ID+"/blocked-ips/198.51.100.7", s.admin, nil)
	s.sourceIP = "198.51.100.7"
	if r := s.call("GET", "/whoami", v.Token, nil); r.status != 200 {
		t.Fatalf("after unblock: %d", r.status)
	}
	var usage api.ListView[api.UsageView]
	s.call("GET", "/tokens/"+v.ID+"/usage", s.admin, nil).decode(t, &usage)
	counts := map[string]int64{}
	for _, u := range usage.Items {
		counts[u.IP] = u.Count
	}
	if counts["198.51.100.7"] != 2 || counts["2001:db8::9"] != 1 || len(counts) != 2 {
		t.Fatalf("usage: %+v", usage.Items)
	}
}

func TestOwnerDisableAndEnable(t *testing.T) {
	t.Parallel()
	s := newStack(t, testkit.Env{"VALIDATE_CACHE_TTL": "2s"})
	a := s.direct(map[string]any{"owner": "carol", "name": "a", "scopes": scopes("tokens:read", "tokens:write")})
	b := s.direct(map[string]any{"owner": "carol", "name": "b", "scopes": scopes("tokens:read")})
	other := s.direct(map[string]any{"owner": "dave", "name": "a", "scopes": scopes("tokens:read")})
	for _, tok := range []string{a.Token, b.Token, other.Token} {
		if s.call("GET", "/whoami", tok, nil).status != 200 {
			t.Fatal("token refused before disable")
		}
	}
	if r := s.call("PUT", "/owners/carol/status", a.Token, map[string]any{"status": "disabled"}); r.status != 403 {
		t.Fatalf("non-admin disabling an owner: %d", r.status)
	}
	r := s.call("PUT", "/owners/carol/status", s.admin, map[string]any{"status": "disabled"})
	var out struct {
		Complete     bool `json:"complete"`
		TokensMarked int  `json:"tokensMarked"`
	}
	r.decode(t, &out)
	if r.status != 200 || !out.Complete || out.TokensMarked != 2 {
		t.Fatalf("disable: %d %s", r.status, r.body)
	}
	s.Clock.Advance(2 * time.Second)
	for _, tok := range []string{a.Token, b.Token} {
		if s.call("GET", "/whoami", tok, nil).status != 403 || s.active(tok).Reason != validate.OwnerDisabled {
			t.Fatal("disabled owner's token accepted")
		}
	}
	if s.call("GET", "/whoami", other.Token, nil).status != 200 {
		t.Fatal("another owner's token refused")
	}
	if r := s.call("POST", "/tokens", s.admin, map[string]any{"name": "new", "scopes": scopes("tokens:read"), "owner": "carol"}); r.status != 409 {
		t.Fatalf("issuing for a disabled owner: %d %s", r.status, r.body)
	}
	if r := s.call("PUT", "/owners/carol/status", s.admin, map[string]any{"status": "sleepy"}); r.status != 400 {
		t.Fatalf("bad status: %d", r.status)
	}
	s.call("PUT", "/owners/carol/status", s.admin, map[string]any{"status": "active"})
	s.Clock.Advance(2 * time.Second)
	for _, tok := range []string{a.Token, b.Token} {
		if r := s.call("GET", "/whoami", tok, nil); r.status != 200 {
			t.Fatalf("re-enabled owner's token: %d", r.status)
		}
	}
}

func TestAuditTrail(t *testing.T) {
	t.Parallel()
	s := newStack(t, nil)
	s.sourceIP = "192.0.2.44"
	v := s.issue(s.admin, map[string]any{"name": "aud", "scopes": scopes("tokens:read")})
	regen := s.view(s.call("POST", "/tokens/"+v.ID+"/regenerate", s.admin, map[string]any{"graceSeconds": 60}))
	for _, step := range []string{"deactivate", "activate"} {
		s.Clock.Advance(time.Second)
		s.view(s.call("POST", "/tokens/"+v.ID+"/"+step, s.admin, nil))
	}
	r := s.call("GET", "/tokens/"+v.ID+"/audit?limit=2", s.admin, nil)
	var page api.ListView[api.AuditView]
	r.decode(t, &page)
	var actions []string
	for page.NextCursor != "" || len(page.Items) > 0 {
		for _, e := range page.Items {
			actions = append(actions, string(e.Action))
			if e.SourceIP != "192.0.2.44" || !strings.HasPrefix(e.Actor, "admin/") {
				t.Fatalf("event %+v lacks actor or source IP", e)
			}
		}
		if page.NextCursor == "" {
			break
		}
		next := s.call("GET", "/tokens/"+v.ID+"/audit?limit=2&cursor="+page.NextCursor, s.admin, nil)
		page = api.ListView[api.AuditView]{}
		next.decode(t, &page)
	}
	if strings.Join(actions, ",") != "activate,deactivate,regenerate,issue" {
		t.Fatalf("audit trail: %v", actions)
	}
	if strings.Contains(string(r.body), regen.Token) || strings.Contains(string(r.body), v.Token) {
		t.Fatal("the audit trail holds a secret")
	}
}

func TestSingleTokenPerOwner(t *testing.T) {
	t.Parallel()
	s := newStack(t, testkit.Env{"SINGLE_TOKEN_PER_OWNER": "true", "VALIDATE_CACHE_TTL": "0"})
	first := s.issue(s.admin, map[string]any{"name": "ci", "scopes": scopes("tokens:read"), "owner": "erin"})
	second := s.issue(s.admin, map[string]any{"name": "ci", "scopes": scopes("tokens:read"), "owner": "erin"})
	if s.active(first.Token).Reason != validate.Revoked || !s.active(second.Token).Active {
		t.Fatal("issuing in single-token mode must revoke the owner's other token")
	}
	var audit api.ListView[api.AuditView]
	s.call("GET", "/tokens/"+first.ID+"/audit", s.admin, nil).decode(t, &audit)
	if len(audit.Items) == 0 || audit.Items[0].Action != "revoke" {
		t.Fatalf("the replaced token's audit: %+v", audit.Items)
	}
}
