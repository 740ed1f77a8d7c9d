package e2e_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/keymint/keymint/internal/testkit"
)

// scopesFile is shared/policy/scopes.json as the oracles read it: on its
// own, not through shared/policy, so an oracle and the code under test
// cannot share a mistake.
type scopesFile struct {
	Scopes map[string]struct {
		Routes []string `json:"routes"`
	} `json:"scopes"`
	AnyToken []string `json:"anyToken"`
}

func readScopesFile(t *testing.T) scopesFile {
	t.Helper()
	root, err := testkit.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(root, "shared", "policy", "scopes.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cat scopesFile
	if err := json.Unmarshal(raw, &cat); err != nil {
		t.Fatal(err)
	}
	return cat
}

// opening lists what opens an API route key in the file: the scopes whose
// patterns name it ({param} is *, a final {greedy+} is **), and "" when
// any token opens it.
func (c scopesFile) opening(key string) []string {
	method, path, _ := strings.Cut(key, " ")
	segs := strings.Split(path, "/")
	for i, s := range segs {
		switch {
		case strings.HasSuffix(s, "+}"):
			segs[i] = "**"
		case strings.HasPrefix(s, "{"):
			segs[i] = "*"
		}
	}
	pattern := method + " " + strings.Join(segs, "/")
	var opens []string
	if slices.Contains(c.AnyToken, key) || slices.Contains(c.AnyToken, pattern) {
		opens = append(opens, "")
	}
	for name, sc := range c.Scopes {
		if slices.Contains(sc.Routes, pattern) {
			opens = append(opens, name)
		}
	}
	return opens
}

// checkOracleScopes holds an oracle's route scopes to the file: each
// route is opened by exactly the one scope the oracle names.
func checkOracleScopes(t *testing.T, want map[string]string) {
	t.Helper()
	cat := readScopesFile(t)
	for key, scope := range want {
		if opens := cat.opening(key); len(opens) != 1 || opens[0] != scope {
			t.Fatalf("oracle: %s is opened by %q in scopes.json, the oracle says %q", key, opens, scope)
		}
	}
}
