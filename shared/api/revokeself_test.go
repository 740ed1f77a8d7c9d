package api_test

import (
	"testing"

	"github.com/keymint/keymint/internal/testkit"
	"github.com/keymint/keymint/shared/validate"
)

// Whoever holds a token can always end it: a token refused for everything
// else (deactivated, its owner disabled, called from outside its allowed
// addresses or from a blocked one) may still revoke itself, and do nothing
// else. Expired and revoked tokens are over already.
func TestRefusedTokenStillRevokesItself(t *testing.T) {
	t.Parallel()
	const home, elsewhere = "198.51.100.7", "203.0.113.5"
	cases := []struct {
		name   string
		refuse func(s *stack, id string) // makes the token refused
		from   string                    // the token's caller's address
	}{
		{"deactivated", func(s *stack, id string) {
			s.mustStatus(200, "POST", "/tokens/"+id+"/deactivate", s.admin, nil)
		}, home},
		{"owner disabled", func(s *stack, _ string) {
			s.mustStatus(200, "PUT", "/owners/carol/status", s.admin, map[string]any{"status": "disabled"})
		}, home},
		{"outside its allowed addresses", func(s *stack, id string) {
			s.mustStatus(200, "PATCH", "/tokens/"+id, s.admin, map[string]any{"allowedCidrs": []string{"192.0.2.0/24"}})
		}, elsewhere},
		{"from a blocked address", func(s *stack, id string) {
			s.mustStatus(200, "PUT", "/tokens/"+id+"/blocked-ips/"+elsewhere, s.admin, nil)
		}, elsewhere},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			s := newStack(t, testkit.Env{"VALIDATE_CACHE_TTL": "0"})
			self := s.direct(map[string]any{"owner": "carol", "name": "leaked", "scopes": scopes("tokens:read", "tokens:write")})
			sibling := s.direct(map[string]any{"owner": "carol", "name": "sibling", "scopes": scopes("tokens:read")})
			c.refuse(s, self.ID)
			s.sourceIP = c.from
			// Everything but revoking itself stays refused, its own other
			// routes and its sibling's revocation included.
			for _, p := range []struct{ method, path string }{
				{"GET", "/whoami"},
				{"GET", "/tokens/" + self.ID},
				{"POST", "/tokens/" + self.ID + "/activate"},
				{"DELETE", "/tokens/" + sibling.ID},
				{"POST", "/tokens/revoke"},
			} {
				body := any(nil)
				if p.path == "/tokens/revoke" {
					body = map[string]any{"ids": []string{self.ID, sibling.ID}}
				}
				if r := s.call(p.method, p.path, self.Token, body); r.status != 403 {
					t.Errorf("%s %s by the refused token: %d %s", p.method, p.path, r.status, r.body)
				}
			}
			if r := s.call("DELETE", "/tokens/"+self.ID, self.Token, nil); r.status != 200 {
				t.Fatalf("revoking itself: %d %s", r.status, r.body)
			}
			s.sourceIP = home
			if got := s.active(self.Token); got.Reason != validate.Revoked {
				t.Fatalf("after revoking itself: %+v", got)
			}
			if got := s.active(sibling.Token); got.Reason == validate.Revoked {
				t.Fatal("the sibling was revoked")
			}
		})
	}
}

// A token that is over stays over: revoking itself again is refused by the
// authorizer like any other call.
func TestRevokedTokenCannotActAsItself(t *testing.T) {
	t.Parallel()
	s := newStack(t, testkit.Env{"VALIDATE_CACHE_TTL": "0"})
	self := s.direct(map[string]any{"owner": "carol", "name": "gone", "scopes": scopes("tokens:read")})
	s.mustStatus(200, "DELETE", "/tokens/"+self.ID, self.Token, nil)
	if r := s.call("DELETE", "/tokens/"+self.ID, self.Token, nil); r.status != 403 {
		t.Fatalf("a revoked token revoking itself again: %d", r.status)
	}
}

// mustStatus makes a call the test depends on and stops it unless the
// answer has the status wanted.
func (s *stack) mustStatus(want int, method, path, token string, body any) response {
	s.t.Helper()
	r := s.call(method, path, token, body)
	if r.status != want {
		s.t.Fatalf("%s %s: %d %s, want %d", method, path, r.status, r.body, want)
	}
	return r
}
