package api_test

import (
	"bytes"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/keymint/keymint/internal/testkit"
	"github.com/keymint/keymint/shared/api"
)

// whoamiSingle is what GET /whoami says of the single-token policy.
func (s *signedIn) whoamiSingle(bearer string) bool {
	s.t.Helper()
	var who api.WhoamiView
	s.view200(s.call("GET", "/whoami", bearer, nil)).decode(s.t, &who)
	return who.SingleToken
}

// create issues (or copies) and returns the 201 answer, with what it says
// it replaced.
func (s *signedIn) create(path, bearer string, body map[string]any) (api.IssuedView, []byte) {
	s.t.Helper()
	r := s.call("POST", path, bearer, body)
	if r.status != http.StatusCreated {
		s.t.Fatalf("POST %s: %d %s", path, r.status, r.body)
	}
	var v api.IssuedView
	r.decode(s.t, &v)
	return v, r.body
}

// replacedIDs are the ids an answer lists in replaced, sorted.
func replacedIDs(v api.IssuedView) []string {
	ids := make([]string, 0, len(v.Replaced))
	for _, r := range v.Replaced {
		ids = append(ids, r.ID)
	}
	slices.Sort(ids)
	return ids
}

func sorted(ids ...string) []string {
	out := slices.Clone(ids)
	slices.Sort(out)
	return out
}

// GET /whoami says whether issuing revokes the caller's other tokens, and
// the 201 of issue and copy lists exactly the tokens the same transaction
// revoked: every live one of the owner (an expired one too), none already
// revoked, none of another owner, and no "replaced" at all when the policy
// is off.
func TestReplacedListsExactlyWhatWasRevoked(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		env  testkit.Env
		// policy sets alice's own single-token policy (PATCH) before the
		// issue that replaces.
		policy bool
	}{
		{name: "owner policy", policy: true},
		{name: "deployment setting", env: testkit.Env{"SINGLE_TOKEN_PER_OWNER": "true"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newSignedIn(t, tc.env)
			alice, bob := s.person("alice", false), s.person("bob", false)
			deploymentWide := tc.env["SINGLE_TOKEN_PER_OWNER"] == "true"
			if got := s.whoamiSingle(alice); got != deploymentWide {
				t.Fatalf("whoami singleToken %v before any policy, want %v", got, deploymentWide)
			}

			// Before the policy applies: alice holds tokens that a later
			// issue must revoke. With the deployment setting each issue
			// already replaces the one before, which is checked on the way.
			bobs, raw := s.create("/tokens", bob, map[string]any{"name": "b1", "scopes": scopes("tokens:read")})
			if bytes.Contains(raw, []byte(`"replaced"`)) {
				t.Fatalf("bob's first token replaced something: %s", raw)
			}
			old, _ := s.create("/tokens", alice, map[string]any{"name": "old", "scopes": scopes("tokens:read"), "expiresInDays": 1})
			var live []string // alice's tokens that are not revoked
			if deploymentWide {
				live = []string{old.ID}
			} else {
				if r := s.call("DELETE", "/tokens/"+old.ID, alice, nil); r.status != http.StatusOK {
					t.Fatalf("revoke old: %d %s", r.status, r.body)
				}
				// Revoked already: never listed as replaced.
				expiring, _ := s.create("/tokens", alice, map[string]any{"name": "short", "scopes": scopes("tokens:read"), "expiresInDays": 1})
				s.Clock.Advance(25 * time.Hour) // short has expired, not been revoked
				root := s.person("root", true)
				alice, bob = s.person("alice", false), s.person("bob", false)
				a1, _ := s.create("/tokens", alice, map[string]any{"name": "a1", "scopes": scopes("tokens:read")})
				a2, _ := s.create("/tokens", alice, map[string]any{"name": "a2", "scopes": scopes("tokens:read")})
				live = []string{expiring.ID, a1.ID, a2.ID}
				if s.whoamiSingle(alice) {
					t.Fatal("whoami singleToken true before alice's policy is set")
				}
				s.view200(s.call("PATCH", "/owners/alice", root, map[string]any{"singleToken": true}))
				if !s.whoamiSingle(alice) {
					t.Fatal("whoami singleToken false after alice's policy is set")
				}
				if s.whoamiSingle(bob) {
					t.Fatal("whoami singleToken true for bob, who has no policy")
				}
			}

			next, _ := s.create("/tokens", alice, map[string]any{"name": "next", "scopes": scopes("tokens:read")})
			if got, want := replacedIDs(next), sorted(live...); !slices.Equal(got, want) {
				t.Fatalf("issue replaced %v, want exactly %v", got, want)
			}
			for _, r := range next.Replaced {
				var v api.TokenView
				s.view200(s.call("GET", "/tokens/"+r.ID, alice, nil)).decode(t, &v)
				if v.Status != "revoked" || v.Name != r.Name {
					t.Errorf("replaced %+v is now %s %q, want revoked under that name", r, v.Status, v.Name)
				}
			}
			// A copy is a new token of the owner: it replaces its source.
			cp, _ := s.create("/tokens/"+next.ID+"/copy", alice, map[string]any{"name": "next-2"})
			if len(cp.Replaced) != 1 || cp.Replaced[0] != (api.ReplacedView{ID: next.ID, Name: "next"}) {
				t.Fatalf("copy replaced %+v, want exactly next (%s)", cp.Replaced, next.ID)
			}
			// Another owner's tokens are never replaced.
			var b api.TokenView
			s.view200(s.call("GET", "/tokens/"+bobs.ID, bob, nil)).decode(t, &b)
			if b.Status != "active" {
				t.Fatalf("bob's token is %s after alice's issues", b.Status)
			}
		})
	}
}
