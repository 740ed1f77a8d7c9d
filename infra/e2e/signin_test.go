package e2e_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/keymint/keymint/internal/oidc"
	"github.com/keymint/keymint/internal/oidc/oidctest"
)

// signInStack is the local stack trusting a real OpenID provider (the
// development one `make run` starts), as `make run` configures it.
func signInStack(t *testing.T, env map[string]string) (*localStack, *oidc.Provider) {
	t.Helper()
	p := oidctest.Start(t, oidc.Options{})
	all := map[string]string{"OIDC_ISSUER": p.Issuer(), "OIDC_AUDIENCE": p.ClientID(),
		"OIDC_ADMIN_CLAIM": "groups", "OIDC_ADMIN_VALUE": oidc.AdminGroup, "VALIDATE_CACHE_TTL": "0"}
	for k, v := range env {
		all[k] = v
	}
	return newLocalStack(t, stackOptions{env: all}), p
}

// login signs a development user in through the provider's real login
// flow, as `make login` does.
func login(t *testing.T, p *oidc.Provider, user string) string {
	t.Helper()
	tok, err := oidc.Login(context.Background(), p.Issuer(), p.ClientID(), user, user)
	if err != nil {
		t.Fatalf("login %s: %v", user, err)
	}
	return tok
}

// The walk-through over real HTTP: alice signs in, issues her own
// token, uses it, cannot touch bob's; root lists owners and disables bob,
// whose sign-in and tokens then stop working.
func TestSignInWithARealProvider(t *testing.T) {
	t.Parallel()
	s, p := signInStack(t, nil)
	alice, bob, root := login(t, p, "alice"), login(t, p, "bob"), login(t, p, "root")

	who := s.do("GET", "/whoami", alice, nil, nil).json(t)
	if who["kind"] != "user" || who["owner"] != "alice" || who["admin"] != false {
		t.Fatalf("alice's whoami %v", who)
	}
	r := s.do("POST", "/tokens", alice, map[string]any{"name": "laptop", "scopes": []string{"tokens:read"}}, nil)
	if r.status != http.StatusCreated {
		t.Fatalf("alice issues: %d %s", r.status, r.body)
	}
	mine := r.json(t)
	if mine["owner"] != "alice" {
		t.Fatalf("issued %v", mine)
	}
	if r := s.do("GET", "/tokens/"+mine["id"].(string), mine["token"].(string), nil, nil); r.status != http.StatusOK {
		t.Fatalf("alice's token reading itself: %d %s", r.status, r.body)
	}
	bobs := s.do("POST", "/tokens", bob, map[string]any{"name": "ci", "scopes": []string{"tokens:read"}}, nil).json(t)
	for _, c := range []struct{ method, path string }{{"GET", "/tokens/" + bobs["id"].(string)}, {"DELETE", "/tokens/" + bobs["id"].(string)}} {
		if r := s.do(c.method, c.path, alice, nil, nil); r.status != http.StatusNotFound {
			t.Fatalf("alice %s bob's token: %d", c.method, r.status)
		}
	}
	if r := s.do("GET", "/owners", alice, nil, nil); r.status != http.StatusForbidden {
		t.Fatalf("alice lists owners: %d", r.status)
	}

	owners := s.do("GET", "/owners", root, nil, nil)
	if owners.status != http.StatusOK {
		t.Fatalf("root lists owners: %d %s", owners.status, owners.body)
	}
	seen := map[string]bool{}
	for _, it := range owners.json(t)["items"].([]any) {
		seen[it.(map[string]any)["owner"].(string)] = true
	}
	if !seen["alice"] || !seen["bob"] {
		t.Fatalf("owners listed: %v", seen)
	}
	if r := s.do("PUT", "/owners/bob/status", root, map[string]any{"status": "disabled"}, nil); r.status != http.StatusOK {
		t.Fatalf("root disables bob: %d %s", r.status, r.body)
	}
	if r := s.do("GET", "/tokens", bob, nil, nil); r.status != http.StatusForbidden {
		t.Fatalf("bob signed in after being disabled: %d", r.status)
	}
	if r := s.do("GET", "/tokens/"+bobs["id"].(string), bobs["token"].(string), nil, nil); r.status != http.StatusForbidden {
		t.Fatalf("bob's token after bob was disabled: %d", r.status)
	}
	if r := s.do("GET", "/whoami", alice, nil, nil); r.status != http.StatusOK {
		t.Fatalf("alice after bob was disabled: %d", r.status)
	}
}

// With enablement on, a new owner cannot issue until an admin enables it.
func TestSignInEnablement(t *testing.T) {
	t.Parallel()
	s, p := signInStack(t, map[string]string{"TOKENS_REQUIRE_ENABLEMENT": "true"})
	alice, root := login(t, p, "alice"), login(t, p, "root")
	body := map[string]any{"name": "first", "scopes": []string{"tokens:read"}}
	if r := s.do("POST", "/tokens", alice, body, nil); r.status != http.StatusConflict || r.json(t)["type"] != "https://keymint.dev/problems/owner-not-enabled" {
		t.Fatalf("issue before enablement: %d %s", r.status, r.body)
	}
	if st := s.do("GET", "/owners/alice", root, nil, nil).json(t)["status"]; st != "pending" {
		t.Fatalf("alice is %v, want pending", st)
	}
	if r := s.do("PUT", "/owners/alice/status", root, map[string]any{"status": "active"}, nil); r.status != http.StatusOK {
		t.Fatalf("enable alice: %d %s", r.status, r.body)
	}
	if r := s.do("POST", "/tokens", alice, body, nil); r.status != http.StatusCreated {
		t.Fatalf("issue after enablement: %d %s", r.status, r.body)
	}
}
