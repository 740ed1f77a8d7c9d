package api_test

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/keymint/keymint/internal/testkit"
	"github.com/keymint/keymint/shared/api"
)

// signedIn is a stack that trusts a test issuer, and its people's ID tokens.
type signedIn struct {
	*stack
	is *testkit.Issuer
}

func newSignedIn(t *testing.T, env testkit.Env) *signedIn {
	is := testkit.NewIssuer(t)
	all := is.Env()
	for k, v := range env {
		all[k] = v
	}
	return &signedIn{stack: newStack(t, all), is: is}
}

// person is a fresh ID token for owner; admin puts it in the admin group.
func (s *signedIn) person(owner string, admin bool) string {
	c := s.is.Claims(owner, s.Clock.Now())
	if admin {
		c["groups"] = []string{"keymint-admins"}
	}
	return s.is.Sign(s.t, c)
}

// A signed-in person makes, uses and manages their own tokens under every
// rule a token caller has, can re-activate their own inactive token, and
// cannot touch another owner's.
func TestSignedInPersonSelfService(t *testing.T) {
	t.Parallel()
	s := newSignedIn(t, nil)
	alice, bob := s.person("alice", false), s.person("bob", false)

	r := s.call("GET", "/whoami", alice, nil)
	var who api.WhoamiView
	r.decode(t, &who)
	if r.status != http.StatusOK || who.Kind != "user" || who.Owner != "alice" || who.TokenID != "" || who.Admin ||
		!slices.Equal(who.Scopes, []string{"tokens:read", "tokens:write"}) {
		t.Fatalf("whoami %d %+v", r.status, who)
	}
	mine := s.issue(alice, map[string]any{"name": "ci", "scopes": scopes("tokens:read"), "expiresInDays": 90})
	if mine.Owner != "alice" || mine.Token == "" {
		t.Fatalf("issued %+v", mine)
	}
	if got := s.active(mine.Token); !got.Active {
		t.Fatalf("alice's new token refused: %+v", got)
	}
	// Nothing beyond what a person holds.
	if r := s.call("POST", "/tokens", alice, map[string]any{"name": "root", "scopes": scopes("tokens:admin")}); r.status != http.StatusForbidden {
		t.Fatalf("person granted tokens:admin: %d %s", r.status, r.body)
	}
	if r := s.call("POST", "/tokens", alice, map[string]any{"name": "x", "owner": "bob", "scopes": scopes("tokens:read")}); r.status != http.StatusForbidden {
		t.Fatalf("person issued for another owner: %d %s", r.status, r.body)
	}
	bobs := s.issue(bob, map[string]any{"name": "bobs", "scopes": scopes("tokens:read")})
	for _, c := range []struct{ method, path string }{{"GET", "/tokens/" + bobs.ID}, {"DELETE", "/tokens/" + bobs.ID}, {"POST", "/tokens/" + bobs.ID + "/deactivate"}} {
		if r := s.call(c.method, c.path, alice, nil); r.status != http.StatusNotFound {
			t.Fatalf("%s %s by alice: %d, want 404", c.method, c.path, r.status)
		}
	}
	var list api.ListView[api.TokenView]
	s.call("GET", "/tokens", alice, nil).decode(t, &list)
	if len(list.Items) != 1 || list.Items[0].ID != mine.ID {
		t.Fatalf("alice's list %+v", list.Items)
	}
	// Unused past INACTIVE_AFTER_DAYS: inactive; alice brings it back.
	s.Clock.Advance(31 * 24 * time.Hour)
	alice = s.person("alice", false) // her sign-in from a month ago expired
	if got := s.active(mine.Token); got.Active || got.Reason != "inactive" {
		t.Fatalf("after 31 idle days: %+v", got)
	}
	if v := s.view(s.call("POST", "/tokens/"+mine.ID+"/activate", alice, nil)); v.Status != "active" {
		t.Fatalf("activate by its owner: %+v", v)
	}
	s.Clock.Advance(3 * time.Second) // past validate's decision cache
	if got := s.active(mine.Token); !got.Active {
		t.Fatalf("re-activated token refused: %+v", got)
	}
	var trail api.ListView[api.AuditView]
	s.call("GET", "/tokens/"+mine.ID+"/audit", alice, nil).decode(t, &trail)
	if len(trail.Items) == 0 || trail.Items[0].Actor != "user:alice" {
		t.Fatalf("audit actor %+v, want user:alice", trail.Items)
	}
}

// An admin person lists owners with their counts, disables one, and that
// owner's people and tokens stop working.
func TestAdminPersonManagesOwners(t *testing.T) {
	t.Parallel()
	s := newSignedIn(t, nil)
	root, alice, bob := s.person("root", true), s.person("alice", false), s.person("bob", false)
	s.issue(alice, map[string]any{"name": "a1", "scopes": scopes("tokens:read")})
	bobs := s.issue(bob, map[string]any{"name": "b1", "scopes": scopes("tokens:read")})
	s.issue(bob, map[string]any{"name": "b2", "scopes": scopes("tokens:read")})
	if r := s.call("GET", "/owners", alice, nil); r.status != http.StatusForbidden {
		t.Fatalf("GET /owners by a non-admin: %d", r.status)
	}
	var owners api.ListView[api.OwnerView]
	s.view200(s.call("GET", "/owners", root, nil)).decode(t, &owners)
	got := map[string]api.OwnerView{}
	for _, o := range owners.Items {
		got[o.Owner] = o
	}
	if got["alice"].LiveTokens != 1 || got["bob"].LiveTokens != 2 || got["bob"].Status != "active" || got["admin"].LiveTokens != 1 {
		t.Fatalf("owners %+v", owners.Items)
	}
	if r := s.call("PUT", "/owners/bob/status", root, map[string]any{"status": "disabled"}); r.status != http.StatusOK {
		t.Fatalf("disable bob: %d %s", r.status, r.body)
	}
	s.Clock.Advance(3 * time.Second) // past the authorizer's cache
	if r := s.call("GET", "/tokens", bob, nil); r.status != http.StatusForbidden {
		t.Fatalf("disabled owner's person: %d", r.status)
	}
	if got := s.active(bobs.Token); got.Active {
		t.Fatal("disabled owner's token accepted")
	}
	var one api.OwnerView
	s.view200(s.call("GET", "/owners/bob", root, nil)).decode(t, &one)
	if one.Status != "disabled" || one.LiveTokens != 2 {
		t.Fatalf("bob %+v", one)
	}
	if r := s.call("GET", "/owners/nobody", root, nil); r.status != http.StatusNotFound {
		t.Fatalf("unknown owner: %d", r.status)
	}
}

// With enablement required, a new owner cannot issue until an admin
// enables it, and waits in the owners list as pending meanwhile.
func TestEnablementRequired(t *testing.T) {
	t.Parallel()
	s := newSignedIn(t, testkit.Env{"TOKENS_REQUIRE_ENABLEMENT": "true"})
	root, carol := s.person("root", true), s.person("carol", false)
	r := s.call("POST", "/tokens", carol, map[string]any{"name": "first", "scopes": scopes("tokens:read")})
	if r.status != http.StatusConflict || r.problem(t).Type != "https://keymint.dev/problems/owner-not-enabled" {
		t.Fatalf("issue before enablement: %d %s", r.status, r.body)
	}
	var one api.OwnerView
	s.view200(s.call("GET", "/owners/carol", root, nil)).decode(t, &one)
	if one.Status != "pending" || one.LiveTokens != 0 {
		t.Fatalf("carol %+v, want pending", one)
	}
	if r := s.call("PUT", "/owners/carol/status", root, map[string]any{"status": "active"}); r.status != http.StatusOK {
		t.Fatalf("enable: %d %s", r.status, r.body)
	}
	if tok := s.issue(carol, map[string]any{"name": "first", "scopes": scopes("tokens:read")}); tok.Owner != "carol" {
		t.Fatalf("after enablement: %+v", tok)
	}
	// An admin issuing for an owner not enabled is refused too.
	if r := s.call("POST", "/tokens", root, map[string]any{"name": "x", "owner": "dave", "scopes": scopes("tokens:read")}); r.status != http.StatusConflict {
		t.Fatalf("admin issue for a pending owner: %d %s", r.status, r.body)
	}
}

// An owner's single-token policy (Perfecto's rule) holds for that owner
// only.
func TestOwnerSingleTokenPolicy(t *testing.T) {
	t.Parallel()
	s := newSignedIn(t, nil)
	root, alice, bob := s.person("root", true), s.person("alice", false), s.person("bob", false)
	if r := s.call("PATCH", "/owners/alice", alice, map[string]any{"singleToken": true}); r.status != http.StatusForbidden {
		t.Fatalf("non-admin set a policy: %d", r.status)
	}
	var o api.OwnerView
	s.view200(s.call("PATCH", "/owners/alice", root, map[string]any{"singleToken": true})).decode(t, &o)
	if !o.SingleToken {
		t.Fatalf("policy %+v", o)
	}
	if r := s.call("PATCH", "/owners/alice", root, map[string]any{}); r.status != http.StatusBadRequest {
		t.Fatalf("empty policy: %d", r.status)
	}
	first := s.issue(alice, map[string]any{"name": "one", "scopes": scopes("tokens:read")})
	second := s.issue(alice, map[string]any{"name": "two", "scopes": scopes("tokens:read")})
	if s.active(first.Token).Active || !s.active(second.Token).Active {
		t.Fatal("alice's new token did not replace her old one")
	}
	b1 := s.issue(bob, map[string]any{"name": "one", "scopes": scopes("tokens:read")})
	s.issue(bob, map[string]any{"name": "two", "scopes": scopes("tokens:read")})
	if !s.active(b1.Token).Active {
		t.Fatal("bob has no single-token policy, but lost a token")
	}
}

// Bulk deactivate and activate answer each id in request order, as the
// single routes would.
func TestBulkDeactivateActivate(t *testing.T) {
	t.Parallel()
	s := newSignedIn(t, nil)
	alice, bob := s.person("alice", false), s.person("bob", false)
	a1 := s.issue(alice, map[string]any{"name": "a1", "scopes": scopes("tokens:read")})
	a2 := s.issue(alice, map[string]any{"name": "a2", "scopes": scopes("tokens:read")})
	b1 := s.issue(bob, map[string]any{"name": "b1", "scopes": scopes("tokens:read")})
	ids := []string{a1.ID, b1.ID, a2.ID, "junk"}
	for _, step := range []struct {
		path   string
		status string
		active bool
	}{{"/tokens/deactivate", "inactive", false}, {"/tokens/activate", "active", true}} {
		var out struct {
			Results []api.BulkResultView `json:"results"`
		}
		s.view200(s.call("POST", step.path, alice, map[string]any{"ids": ids})).decode(t, &out)
		want := []int{200, 404, 200, 404}
		for i, res := range out.Results {
			if res.ID != ids[i] || res.Status != want[i] {
				t.Fatalf("%s result %d: %+v, want %s %d", step.path, i, res, ids[i], want[i])
			}
			if res.Status == 200 && res.Token.Status != step.status {
				t.Fatalf("%s: token %+v", step.path, res.Token)
			}
		}
		s.Clock.Advance(3 * time.Second) // past validate's decision cache
		if s.active(a1.Token).Active != step.active || !s.active(b1.Token).Active {
			t.Fatalf("after %s: alice's token active=%v, bob's untouched", step.path, s.active(a1.Token).Active)
		}
	}
	if r := s.call("POST", "/tokens/deactivate", alice, map[string]any{"ids": []string{}}); r.status != http.StatusBadRequest {
		t.Fatalf("no ids: %d", r.status)
	}
}

// The catalogue is open to every valid caller, token or person.
func TestScopeCatalogueRoute(t *testing.T) {
	t.Parallel()
	s := newSignedIn(t, nil)
	reader := s.issue(s.admin, map[string]any{"name": "r", "scopes": scopes("tokens:read")})
	for _, caller := range []string{reader.Token, s.person("alice", false)} {
		var cat api.ScopesView
		s.view200(s.call("GET", "/scopes", caller, nil)).decode(t, &cat)
		var admin *api.ScopeView
		for i := range cat.Scopes {
			if cat.Scopes[i].Name == "tokens:admin" {
				admin = &cat.Scopes[i]
			}
		}
		if admin == nil || !slices.Contains(admin.Implies, "tokens:read") || !slices.Contains(admin.Routes, "GET /owners") ||
			!slices.Contains(admin.Routes, "GET /tokens") || admin.Description == "" {
			t.Fatalf("tokens:admin %+v", admin)
		}
		if !slices.Equal(cat.Bundles["tokens:manage"], []string{"tokens:read", "tokens:write"}) || !slices.Contains(cat.AnyToken, "GET /scopes") {
			t.Fatalf("bundles %v anyToken %v", cat.Bundles, cat.AnyToken)
		}
	}
	if r := s.call("GET", "/scopes", "", nil); r.status != http.StatusUnauthorized {
		t.Fatalf("anonymous: %d", r.status)
	}
}

// view200 fails the test unless the answer is 200.
func (s *stack) view200(r response) response {
	s.t.Helper()
	if r.status != http.StatusOK {
		s.t.Fatalf("status %d: %s", r.status, r.body)
	}
	return r
}
