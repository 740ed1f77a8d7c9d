package api_test

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/keymint/keymint/internal/testkit"
	"github.com/keymint/keymint/shared/policy"
)

// changing are the actions on an existing token, as HTTP requests; each
// needs tokens:write for its route, and the caller's scopes must cover the
// target's for the action itself.
var changing = []struct {
	name         string
	method, path string // path: %s is the target id
	body         any
	ok           int
}{
	{"regenerate", "POST", "/tokens/%s/regenerate", map[string]any{"graceSeconds": 60}, 200},
	{"edit", "PATCH", "/tokens/%s", map[string]any{"description": "edited"}, 200},
	{"allowed CIDRs", "PATCH", "/tokens/%s", map[string]any{"allowedCidrs": []string{"0.0.0.0/0"}}, 200},
	{"copy", "POST", "/tokens/%s/copy", nil, 201},
	{"deactivate", "POST", "/tokens/%s/deactivate", nil, 200},
	{"activate", "POST", "/tokens/%s/activate", nil, 200},
	{"block IP", "PUT", "/tokens/%s/blocked-ips/192.0.2.9", nil, 200},
	{"unblock IP", "DELETE", "/tokens/%s/blocked-ips/192.0.2.9", nil, 200},
	{"revoke", "DELETE", "/tokens/%s", nil, 200},
}

// TestAuthorityThroughTheAPI runs every changing action, through the
// authorizer and the function, for every pair of scope sets named in the
// shipped catalogue (each scope, each bundle), and checks the answer is the
// rule's: allowed exactly when the caller's token opens the route and covers
// the target. (shared/manage's TestCoversProperty checks the rule itself
// over every subset pair.)
func TestAuthorityThroughTheAPI(t *testing.T) {
	t.Parallel()
	s := newStack(t, testkit.Env{"VALIDATE_CACHE_TTL": "0"})
	cat, err := policy.Default()
	if err != nil {
		t.Fatal(err)
	}
	sets := map[string][]string{}
	for _, sc := range cat.Scopes() {
		sets[sc] = []string{sc}
	}
	maps.Copy(sets, cat.Bundles())
	names := slices.Sorted(maps.Keys(sets))

	callers := map[string]string{}
	for _, n := range names {
		callers[n] = s.direct(map[string]any{"owner": "p", "name": "c-" + safe(n), "scopes": sets[n]}).Token
		s.call("GET", "/whoami", callers[n], nil) // usage recorded now, not mid-cell
	}
	shared := map[string]string{} // one target per set for the refused cells
	for _, n := range names {
		shared[n] = s.direct(map[string]any{"owner": "p", "name": "t-" + safe(n), "scopes": sets[n]}).ID
	}
	type cell struct {
		caller, target string
		action         int
		allowed        bool
	}
	var refused, allowed []cell
	for _, cn := range names {
		effective := cat.Effective(sets[cn])
		for _, tn := range names {
			covers := slices.Contains(effective, "tokens:admin")
			if !covers {
				covers = true
				for _, sc := range sets[tn] {
					covers = covers && slices.Contains(effective, sc)
				}
			}
			for i, a := range changing {
				opens := cat.Allows(sets[cn], a.method, strings.ReplaceAll(a.path, "%s", "x"))
				c := cell{caller: cn, target: tn, action: i, allowed: opens && covers}
				if c.allowed {
					allowed = append(allowed, c)
				} else {
					refused = append(refused, c)
				}
			}
		}
	}
	seq := 0
	run := func(c cell, target string) {
		a := changing[c.action]
		body := a.body
		if a.name == "copy" {
			seq++
			body = map[string]any{"name": fmt.Sprintf("cp%d", seq)}
		}
		r := s.call(a.method, fmt.Sprintf(a.path, target), callers[c.caller], body)
		want := 403
		if c.allowed {
			want = a.ok
		}
		if r.status != want {
			t.Errorf("caller %s, target %s, %s: %d, want %d (%s)", c.caller, c.target, a.name, r.status, want, r.body)
		}
	}
	// Refused cells share one target per set and must write nothing at all.
	before := s.itemCount()
	for _, c := range refused {
		run(c, shared[c.target])
	}
	if after := s.itemCount(); after != before {
		t.Errorf("refused actions wrote %d items", after-before)
	}
	// Allowed cells each get a fresh target, since the action changes it.
	for _, c := range allowed {
		seq++
		run(c, s.direct(map[string]any{"owner": "p", "name": fmt.Sprintf("f%d", seq), "scopes": sets[c.target]}).ID)
	}
	cells, allowedCells := len(refused)+len(allowed), len(allowed)
	t.Logf("%d cells (%d scope sets squared × %d actions), %d allowed", cells, len(names), len(changing), allowedCells)
}

func safe(name string) string {
	return strings.NewReplacer(":", "-", "_", "-").Replace(name)
}

// Any token may read and revoke itself, whatever its scopes, and nothing
// else through those routes: whoever holds a leaked token can kill it.
func TestTokenReadsAndRevokesItself(t *testing.T) {
	t.Parallel()
	s := newStack(t, testkit.Env{"VALIDATE_CACHE_TTL": "0"})
	self := s.issue(s.admin, map[string]any{"name": "api", "scopes": scopes("orders:read")})
	other := s.issue(s.admin, map[string]any{"name": "other", "scopes": scopes("orders:read")})
	if r := s.call("GET", "/tokens/"+self.ID, self.Token, nil); r.status != 200 {
		t.Fatalf("reading itself: %d %s", r.status, r.body)
	}
	for _, p := range []struct{ method, path string }{
		{"GET", "/tokens/" + other.ID},
		{"DELETE", "/tokens/" + other.ID},
		{"GET", "/tokens/" + self.ID + "/audit"},
		{"POST", "/tokens/" + self.ID + "/deactivate"},
	} {
		if r := s.call(p.method, p.path, self.Token, nil); r.status != 403 {
			t.Errorf("%s %s with an orders:read token: %d", p.method, p.path, r.status)
		}
	}
	if r := s.call("DELETE", "/tokens/"+self.ID, self.Token, nil); r.status != 200 {
		t.Fatalf("revoking itself: %d %s", r.status, r.body)
	}
	if got := s.active(self.Token); got.Active || got.Reason != "revoked" {
		t.Fatalf("after revoking itself: %+v", got)
	}
	if !s.active(other.Token).Active {
		t.Fatal("another token was touched")
	}
}
