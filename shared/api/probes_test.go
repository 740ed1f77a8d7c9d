package api_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/keymint/keymint/internal/testkit"
	"github.com/keymint/keymint/shared/api"
	"github.com/keymint/keymint/shared/validate"
)

// The probes below are what a hostile user tried against an earlier build
// (each then succeeded); every one must now be refused and write nothing.

// A token with tokens:write (or the tokens:manage bundle) of the admin owner
// sees its owner's admin token, but may not act on it: acting on a token
// needs the caller's scopes to cover the target's.
func TestWriteTokenCannotTakeOverAnAdminToken(t *testing.T) {
	t.Parallel()
	for _, grant := range [][]string{scopes("tokens:write"), scopes("tokens:manage"), scopes("tokens:read", "tokens:write", "orders:read")} {
		t.Run(strings.Join(grant, "+"), func(t *testing.T) {
			s := newStack(t, testkit.Env{"VALIDATE_CACHE_TTL": "0"})
			adminID := s.active(s.admin).TokenID
			w := s.issue(s.admin, map[string]any{"name": "w", "scopes": grant})
			s.call("GET", "/whoami", w.Token, nil) // its usage record is written now, not during a probe
			probes := []struct {
				method, path string
				body         any
			}{
				{"POST", "/tokens/" + adminID + "/regenerate", map[string]any{"graceSeconds": 604800}},
				{"PATCH", "/tokens/" + adminID, map[string]any{"allowedCidrs": []string{}}},
				{"PATCH", "/tokens/" + adminID, map[string]any{"description": "mine now"}},
				{"POST", "/tokens/" + adminID + "/copy", map[string]any{"name": "stolen"}},
				{"POST", "/tokens/" + adminID + "/deactivate", nil},
				{"PUT", "/tokens/" + adminID + "/blocked-ips/192.0.2.1", nil},
				{"DELETE", "/tokens/" + adminID, nil},
			}
			for _, p := range probes {
				before := s.itemCount()
				r := s.call(p.method, p.path, w.Token, p.body)
				if r.status != 403 {
					t.Errorf("%s %s by a %v token: %d %s, want 403", p.method, p.path, grant, r.status, r.body)
					continue
				}
				if pr := r.problem(t); pr.Type != "https://keymint.dev/problems/forbidden" {
					t.Errorf("%s %s: problem type %s", p.method, p.path, pr.Type)
				}
				if s.itemCount() != before {
					t.Errorf("%s %s: a refused action wrote something", p.method, p.path)
				}
			}
			if !s.active(s.admin).Active {
				t.Fatal("the admin token stopped working")
			}
		})
	}
}

// An admin deactivates an admin token; a write token of the same owner may
// not switch it back on, nor may it move a token's expiry out.
func TestWriteTokenCannotReactivateOrExtend(t *testing.T) {
	t.Parallel()
	s := newStack(t, testkit.Env{"VALIDATE_CACHE_TTL": "0"})
	other := s.issue(s.admin, map[string]any{"name": "admin2", "scopes": scopes("tokens:admin")})
	s.view(s.call("POST", "/tokens/"+other.ID+"/deactivate", s.admin, nil))
	w := s.issue(s.admin, map[string]any{"name": "w", "scopes": scopes("tokens:read", "tokens:write"), "expiresInDays": 30})
	if r := s.call("POST", "/tokens/"+other.ID+"/activate", w.Token, nil); r.status != 403 {
		t.Fatalf("re-activating an admin token with a write token: %d %s", r.status, r.body)
	}
	if s.active(other.Token).Active {
		t.Fatal("the deactivated admin token works again")
	}
	later := w.ExpiresAt.Add(24 * time.Hour).Format(time.RFC3339)
	r := s.call("PATCH", "/tokens/"+w.ID, w.Token, map[string]any{"expiresAt": later})
	if r.status != 400 || r.problem(t).Errors[0].Field != "expiresAt" {
		t.Fatalf("pushing its own expiry out: %d %s", r.status, r.body)
	}
	closer := w.ExpiresAt.Add(-24 * time.Hour)
	got := s.view(s.call("PATCH", "/tokens/"+w.ID, w.Token, map[string]any{"expiresAt": closer.Format(time.RFC3339)}))
	if !got.ExpiresAt.Equal(closer) {
		t.Fatalf("bringing expiry closer: %v, want %v", got.ExpiresAt, closer)
	}
}

// Expiry is final: an expired token's expiry cannot be edited, and its old
// secret never works again, whatever regenerate's grace period says.
func TestExpiryIsFinal(t *testing.T) {
	t.Parallel()
	s := newStack(t, testkit.Env{"VALIDATE_CACHE_TTL": "0"})
	v := s.issue(s.admin, map[string]any{"name": "e", "scopes": scopes("tokens:read"), "expiresInDays": 1})
	s.Clock.Advance(25 * time.Hour)
	later := testkit.Start.Add(30 * 24 * time.Hour).Format(time.RFC3339)
	if r := s.call("PATCH", "/tokens/"+v.ID, s.admin, map[string]any{"expiresAt": later}); r.status != 409 {
		t.Fatalf("PATCH expiresAt on an expired token: %d %s", r.status, r.body)
	}
	if got := s.active(v.Token); got.Active || got.Reason != validate.Expired {
		t.Fatalf("expired secret after PATCH: %+v", got)
	}
	next := s.view(s.call("POST", "/tokens/"+v.ID+"/regenerate", s.admin, map[string]any{"graceSeconds": 3600}))
	if next.PrevValidUntil != nil {
		t.Fatalf("a grace period for an expired secret: %v", next.PrevValidUntil)
	}
	if s.active(v.Token).Active || !s.active(next.Token).Active {
		t.Fatal("after regenerate only the new secret may work")
	}
}

// With REGENERATE_EXPIRED=false an expired token is gone for good.
func TestRegenerateExpiredSetting(t *testing.T) {
	t.Parallel()
	s := newStack(t, testkit.Env{"VALIDATE_CACHE_TTL": "0", "REGENERATE_EXPIRED": "false"})
	v := s.issue(s.admin, map[string]any{"name": "e", "scopes": scopes("tokens:read"), "expiresInDays": 1})
	live := s.issue(s.admin, map[string]any{"name": "l", "scopes": scopes("tokens:read")})
	s.Clock.Advance(25 * time.Hour)
	if r := s.call("POST", "/tokens/"+v.ID+"/regenerate", s.admin, nil); r.status != 409 {
		t.Fatalf("regenerating an expired token with REGENERATE_EXPIRED=false: %d %s", r.status, r.body)
	}
	if r := s.call("POST", "/tokens/"+live.ID+"/regenerate", s.admin, nil); r.status != 200 {
		t.Fatalf("regenerating a live token: %d %s", r.status, r.body)
	}
}

// A grace period never outlives the old secret's own expiry.
func TestGraceEndsAtTheOldExpiry(t *testing.T) {
	t.Parallel()
	s := newStack(t, testkit.Env{"VALIDATE_CACHE_TTL": "0"})
	v := s.issue(s.admin, map[string]any{"name": "g", "scopes": scopes("tokens:read"), "expiresInDays": 1})
	s.Clock.Advance(23 * time.Hour)
	next := s.view(s.call("POST", "/tokens/"+v.ID+"/regenerate", s.admin, map[string]any{"graceSeconds": 604800}))
	if next.PrevValidUntil == nil || !next.PrevValidUntil.Equal(v.ExpiresAt) {
		t.Fatalf("prevValidUntil = %v, want the old expiry %v", next.PrevValidUntil, v.ExpiresAt)
	}
	s.Clock.Advance(time.Hour)
	if s.active(v.Token).Active {
		t.Fatal("the old secret outlived its expiry through the grace period")
	}
}

// The admin cannot lock every admin out by disabling its own owner.
func TestNoAdminLockout(t *testing.T) {
	t.Parallel()
	s := newStack(t, testkit.Env{"VALIDATE_CACHE_TTL": "0"})
	r := s.call("PUT", "/owners/admin/status", s.admin, map[string]any{"status": "disabled"})
	if r.status != 409 || r.problem(t).Type != "https://keymint.dev/problems/lockout" {
		t.Fatalf("disabling its own owner: %d %s", r.status, r.body)
	}
	if !s.active(s.admin).Active {
		t.Fatal("the admin token stopped working")
	}
	// Ops, by direct invoke, may not disable the last owner holding a
	// usable admin token either.
	if _, err := s.handlers["revoke"].Invoke(context.Background(), []byte(`{"owner":"admin","status":"disabled"}`)); err == nil {
		t.Fatal("ops disabled the last admin owner")
	}
	// Once another owner holds an admin token, the first may be disabled.
	s.direct(map[string]any{"owner": "root", "name": "root", "scopes": scopes("tokens:admin")})
	if _, err := s.handlers["revoke"].Invoke(context.Background(), []byte(`{"owner":"admin","status":"disabled"}`)); err != nil {
		t.Fatalf("ops disabling an owner while another admin owner exists: %v", err)
	}
	// ...and ops can always switch it back on.
	out, err := s.handlers["revoke"].Invoke(context.Background(), []byte(`{"owner":"admin","status":"active"}`))
	if err != nil {
		t.Fatalf("ops re-enabling: %v", err)
	}
	var res api.OwnerStatusView
	if err := json.Unmarshal(out, &res); err != nil || res.Status != "active" || !res.Complete {
		t.Fatalf("re-enable answer %s (%v)", out, err)
	}
	if !s.active(s.admin).Active {
		t.Fatal("the admin token does not work after ops re-enabled its owner")
	}
}

// Crafted input is a 400 that writes nothing: cursors of the wrong shape,
// numbers that would overflow, field names in the wrong case, repeated keys,
// hidden characters, zoned and mapped addresses.
func TestHostileInputIs400(t *testing.T) {
	t.Parallel()
	s := newStack(t, nil)
	v := s.issue(s.admin, map[string]any{"name": "t", "scopes": scopes("tokens:read")})
	cursor := func(m map[string]string) string {
		raw, _ := json.Marshal(m)
		return base64.RawURLEncoding.EncodeToString(raw)
	}
	cases := []struct {
		name, method, path string
		body               any
		field              string
	}{
		{"list cursor without the table key", "GET", "/tokens?cursor=" + cursor(map[string]string{"GSI1PK": "OWNER#admin"}), nil, "cursor"},
		{"list cursor of another owner", "GET", "/tokens?cursor=" + cursor(map[string]string{"PK": "TOKEN#" + v.ID, "SK": "META", "GSI1PK": "OWNER#bob", "GSI1SK": "001700000000#" + v.ID}), nil, "cursor"},
		{"audit cursor pointing at usage", "GET", "/tokens/" + v.ID + "/audit?cursor=" + cursor(map[string]string{"PK": "TOKEN#" + v.ID, "SK": "IP#10.0.0.1"}), nil, "cursor"},
		{"usage cursor with an extra key", "GET", "/tokens/" + v.ID + "/usage?cursor=" + cursor(map[string]string{"PK": "TOKEN#" + v.ID, "SK": "IP#10.0.0.1", "GSI1PK": "x"}), nil, "cursor"},
		{"expiresInDays that overflows", "POST", "/tokens", map[string]any{"name": "o1", "scopes": scopes("tokens:read"), "expiresInDays": 106752}, "expiresInDays"},
		{"expiresInDays that wraps round", "POST", "/tokens", map[string]any{"name": "o2", "scopes": scopes("tokens:read"), "expiresInDays": 213504}, "expiresInDays"},
		{"graceSeconds that overflows", "POST", "/tokens/" + v.ID + "/regenerate", `{"graceSeconds": 9223372036854775807}`, "graceSeconds"},
		{"Owner in the wrong case", "POST", "/tokens", `{"name":"c1","scopes":["tokens:read"],"Owner":"bob"}`, "Owner"},
		{"OWNER in the wrong case", "POST", "/tokens", `{"name":"c2","scopes":["tokens:read"],"OWNER":"bob"}`, "OWNER"},
		{"a repeated key", "POST", "/tokens", `{"name":"d1","scopes":["tokens:read"],"name":"d2"}`, ""},
		{"a repeated key in a nested object", "POST", "/tokens/revoke", `{"ids":[{"a":1,"a":2}]}`, ""},
		{"NUL in a description", "POST", "/tokens", map[string]any{"name": "n1", "scopes": scopes("tokens:read"), "description": "a\x00b"}, "description"},
		{"ESC in a description", "POST", "/tokens", map[string]any{"name": "n2", "scopes": scopes("tokens:read"), "description": "\x1b[31mred"}, "description"},
		{"C1 control in a description", "POST", "/tokens", map[string]any{"name": "n3", "scopes": scopes("tokens:read"), "description": "a\u0085b"}, "description"},
		{"right-to-left override in a description", "PATCH", "/tokens/" + v.ID, map[string]any{"description": "safe\u202Eexe.txt"}, "description"},
		{"bidi isolate in a description", "PATCH", "/tokens/" + v.ID, map[string]any{"description": "a\u2066b"}, "description"},
		{"a zoned CIDR", "POST", "/tokens", map[string]any{"name": "z1", "scopes": scopes("tokens:read"), "allowedCidrs": []string{"fe80::1%eth0/64"}}, "allowedCidrs"},
		{"a zoned address", "PATCH", "/tokens/" + v.ID, map[string]any{"allowedCidrs": []string{"fe80::1%eth0"}}, "allowedCidrs"},
		{"a mapped prefix wider than IPv4", "PATCH", "/tokens/" + v.ID, map[string]any{"allowedCidrs": []string{"::ffff:0:0/80"}}, "allowedCidrs"},
		{"an over-long idempotency key", "POST", "/tokens", map[string]any{"name": "i1", "scopes": scopes("tokens:read")}, "Idempotency-Key"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := s.itemCount()
			var r response
			if c.field == "Idempotency-Key" {
				r = s.callWith(c.method, c.path, s.admin, c.body, map[string]string{"idempotency-key": strings.Repeat("k", 256)})
			} else {
				r = s.call(c.method, c.path, s.admin, c.body)
			}
			if r.status != 400 {
				t.Fatalf("status %d, want 400: %s", r.status, r.body)
			}
			p := r.problem(t)
			if c.field != "" && (len(p.Errors) == 0 || p.Errors[0].Field != c.field) {
				t.Fatalf("problem names %+v, want field %s", p.Errors, c.field)
			}
			if s.itemCount() != before {
				t.Fatal("a refused request wrote something")
			}
		})
	}
}

// Addresses are compared as validate sees them: a mapped prefix is stored as
// the IPv4 block it names (and then matches), and a zone does not slip an
// address past its block.
func TestAddressesCompareAsStored(t *testing.T) {
	t.Parallel()
	s := newStack(t, testkit.Env{"VALIDATE_CACHE_TTL": "0"})
	v := s.issue(s.admin, map[string]any{"name": "m", "scopes": scopes("tokens:read"), "allowedCidrs": []string{"::ffff:10.0.0.0/104"}})
	if strings.Join(v.AllowedCIDRs, ",") != "10.0.0.0/8" {
		t.Fatalf("stored %v, want 10.0.0.0/8", v.AllowedCIDRs)
	}
	check := func(tok, ip string) validate.DirectResponse {
		raw, _ := json.Marshal(validate.DirectRequest{Token: tok, SourceIP: ip})
		out, err := s.handlers["validate"].Invoke(context.Background(), raw)
		if err != nil {
			t.Fatal(err)
		}
		var d validate.DirectResponse
		if err := json.Unmarshal(out, &d); err != nil {
			t.Fatal(err)
		}
		return d
	}
	if !check(v.Token, "10.1.2.3").Active || !check(v.Token, "::ffff:10.1.2.3").Active {
		t.Fatal("an address inside the mapped prefix is refused")
	}
	b := s.issue(s.admin, map[string]any{"name": "b", "scopes": scopes("tokens:read")})
	s.view(s.call("PUT", "/tokens/"+b.ID+"/blocked-ips/2001:db8::1", s.admin, nil))
	for _, ip := range []string{"2001:db8::1", "2001:db8::1%eth0", "not-an-ip"} {
		if got := check(b.Token, ip); got.Active || got.Reason != validate.IPBlocked {
			t.Errorf("source %q against a block on 2001:db8::1: %+v", ip, got)
		}
	}
	if !check(b.Token, "2001:db8::2").Active {
		t.Error("another address is refused")
	}
}

// A token placed in a URL path (by mistake, or to probe) never reaches the
// log in plain text, nor does one in an error text.
func TestTokenInPathIsMaskedInLogs(t *testing.T) {
	t.Parallel()
	var logs testkit.Buffer
	s := newLoggingStack(t, testkit.Env{"VALIDATE_CACHE_TTL": "0"}, &logs)
	v := s.issue(s.admin, map[string]any{"name": "p", "scopes": scopes("tokens:read")})
	s.call("GET", "/tokens/"+v.Token, s.admin, nil)
	s.call("GET", "/tokens/"+v.Token+"/usage", v.Token, nil)
	secret := v.Token[len(v.Token)-38:]
	if !strings.Contains(logs.String(), v.ID+"_[REDACTED]") {
		t.Fatalf("the log shows no masked token; the test would prove nothing:\n%s", logs.String())
	}
	if strings.Contains(logs.String(), secret) {
		t.Fatal("a token's secret reached the log")
	}
}
