package policy_test

import (
	"cmp"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/keymint/keymint/shared/api"
	"github.com/keymint/keymint/shared/policy"
)

// The shipped catalogue's management scopes open exactly the routes the
// route table (shared/api/routes.go) gives them, and tokens:admin implies
// the other two; every scope opens the any-token routes. make generate
// writes these entries from the table, so this fails when scopes.json was
// edited by hand against it, or when policy reads a catalogue otherwise
// than it is written.
func TestDefaultManagementRoutesAreTheTables(t *testing.T) {
	t.Parallel()
	c, err := policy.Default()
	if err != nil {
		t.Fatal(err)
	}
	param := regexp.MustCompile(`\{[^}]+\}`)
	byScope := map[string][]policy.Route{}
	var anyToken []policy.Route
	for _, r := range api.Table() {
		pr := policy.Route{Method: r.Method, Path: param.ReplaceAllString(r.Path, "*")}
		switch {
		case r.Access.Public:
		case r.Access.AnyToken:
			anyToken = append(anyToken, pr)
		default:
			byScope[r.Access.Scope] = append(byScope[r.Access.Scope], pr)
		}
	}
	read, write, admin := byScope["tokens:read"], byScope["tokens:write"], byScope["tokens:admin"]
	if len(read) == 0 || len(write) == 0 || len(admin) == 0 || len(anyToken) == 0 {
		t.Fatalf("the table has no routes for a management scope: %v", byScope)
	}
	tests := []struct {
		scopes []string
		want   []policy.Route
	}{
		{nil, sorted(anyToken)},
		{[]string{"tokens:read"}, sorted(anyToken, read)},
		{[]string{"tokens:write"}, sorted(anyToken, write)},
		{[]string{"tokens:admin"}, sorted(anyToken, read, write, admin)},
		{[]string{"tokens:read", "tokens:write"}, sorted(anyToken, read, write)},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.scopes, "+"), func(t *testing.T) {
			if got := sorted(c.Routes(tt.scopes)); !slices.Equal(got, tt.want) {
				t.Errorf("Routes(%v)\n got %v\nwant %v", tt.scopes, got, tt.want)
			}
		})
	}
	// No other scope reaches into the management API (any path below the
	// table's first segments) beyond the any-token routes.
	var roots []string
	for _, r := range api.Table() {
		if root, _, _ := strings.Cut(strings.TrimPrefix(r.Path, "/"), "/"); !r.Access.Public && !slices.Contains(roots, root) {
			roots = append(roots, root)
		}
	}
	for _, s := range c.Scopes() {
		if slices.Contains([]string{"tokens:read", "tokens:write", "tokens:admin"}, s) {
			continue
		}
		for _, r := range c.Routes([]string{s}) {
			if slices.Contains(anyToken, r) {
				continue
			}
			root, _, _ := strings.Cut(strings.TrimPrefix(r.Path, "/"), "/")
			if r.Path == "/**" || slices.Contains(roots, root) {
				t.Errorf("scope %q opens management route %v", s, r)
			}
		}
	}
}

func sorted(groups ...[]policy.Route) []policy.Route {
	out := slices.Concat(groups...)
	slices.SortFunc(out, func(a, b policy.Route) int {
		return cmp.Or(cmp.Compare(a.Path, b.Path), cmp.Compare(a.Method, b.Method))
	})
	return slices.Compact(out)
}
