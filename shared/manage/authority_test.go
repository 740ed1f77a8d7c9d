package manage_test

import (
	"encoding/json"
	"os"
	"slices"
	"testing"

	"github.com/keymint/keymint/shared/manage"
	"github.com/keymint/keymint/shared/policy"
)

// rawCatalogue reads the shipped catalogue file itself, so the oracle below
// does not lean on the policy package it checks.
func rawCatalogue(t *testing.T) (scopes []string, implies map[string][]string, bundles map[string][]string) {
	t.Helper()
	raw, err := os.ReadFile("../policy/scopes.json")
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Scopes map[string]struct {
			Implies []string `json:"implies"`
		} `json:"scopes"`
		Bundles map[string][]string `json:"bundles"`
	}
	if err := json.Unmarshal(raw, &f); err != nil {
		t.Fatal(err)
	}
	implies = map[string][]string{}
	for name, s := range f.Scopes {
		scopes = append(scopes, name)
		implies[name] = s.Implies
	}
	slices.Sort(scopes)
	return scopes, implies, f.Bundles
}

// holds is the oracle: a scope and, transitively, what it implies.
func holds(implies map[string][]string, set []string) map[string]bool {
	out := map[string]bool{}
	var add func(string)
	add = func(s string) {
		if out[s] {
			return
		}
		out[s] = true
		for _, i := range implies[s] {
			add(i)
		}
	}
	for _, s := range set {
		add(s)
	}
	return out
}

// TestCoversProperty checks the one authority rule against an independent
// oracle for every pair of scope sets the shipped catalogue can form: every
// subset of its scopes, and every bundle (expanded as a client would ask).
func TestCoversProperty(t *testing.T) {
	t.Parallel()
	cat, err := policy.Default()
	if err != nil {
		t.Fatal(err)
	}
	names, implies, bundles := rawCatalogue(t)
	if len(names) < 4 || len(bundles) == 0 {
		t.Fatalf("catalogue too small to prove anything: %v %v", names, bundles)
	}
	var sets [][]string
	for mask := 0; mask < 1<<len(names); mask++ {
		var s []string
		for i, n := range names {
			if mask&(1<<i) != 0 {
				s = append(s, n)
			}
		}
		sets = append(sets, s)
	}
	for _, members := range bundles {
		sets = append(sets, members)
	}
	cases, allowed := 0, 0
	for _, c := range sets {
		callerHolds := holds(implies, c)
		caller := manage.Caller{Owner: "o", TokenID: "caller", Scopes: cat.Effective(c)}
		for _, target := range sets {
			want := callerHolds[manage.ScopeAdmin]
			if !want {
				want = true
				for _, s := range target {
					want = want && callerHolds[s]
				}
			}
			if got := manage.Covers(cat, caller, target); got != want {
				t.Fatalf("caller %v, target %v: Covers = %v, want %v", c, target, got, want)
			}
			cases++
			if want {
				allowed++
			}
		}
	}
	// Ops covers everything; unknown (retired) scopes on a target need no cover.
	if !manage.Covers(cat, manage.Caller{Ops: true}, names) {
		t.Error("ops does not cover every scope")
	}
	if !manage.Covers(cat, manage.Caller{Scopes: []string{"tokens:read"}}, []string{"tokens:read", "retired:scope"}) {
		t.Error("a retired scope on the target demands cover")
	}
	t.Logf("%d caller/target pairs, %d covered", cases, allowed)
}
