package policy

import (
	"strings"
	"testing"
)

// A template API Gateway would not accept, or parameters that are
// missing, empty or dot segments, make a Path that matches nothing, even
// under "GET /**".
func TestRoutedRefusesWhatNoRouteCanBe(t *testing.T) {
	t.Parallel()
	c, err := Parse([]byte(`{"scopes": {"all": {"routes": ["* /**", "* /"]}}}`))
	if err != nil {
		t.Fatal(err)
	}
	many := strings.Repeat("/{p}", MaxParams+1)
	cases := []struct {
		name, tmpl string
		params     map[string]string
		want       bool
	}{
		{"a plain route", "/orders/{id}", map[string]string{"id": "1"}, true},
		{"the root", "/", nil, true},
		{"no leading slash", "orders/{id}", map[string]string{"id": "1"}, false},
		{"greedy not last", "/files/{p+}/x", map[string]string{"p": "a"}, false},
		{"empty name", "/orders/{}", map[string]string{"": "1"}, false},
		{"brace inside a segment", "/orders/a{id}", map[string]string{"id": "1"}, false},
		{"unclosed brace", "/orders/{id", map[string]string{"id": "1"}, false},
		{"empty template segment", "/orders//{id}", map[string]string{"id": "1"}, false},
		{"dot template segment", "/orders/../{id}", map[string]string{"id": "1"}, false},
		{"missing parameter", "/orders/{id}", nil, false},
		{"encoded dot value", "/orders/{id}", map[string]string{"id": "%2e"}, false},
		{"greedy empty segment", "/files/{p+}", map[string]string{"p": "a//b"}, false},
		{"greedy trailing slash forgiven", "/files/{p+}", map[string]string{"p": "a/b/"}, true},
		{"greedy only a slash", "/files/{p+}", map[string]string{"p": "/"}, false},
		{"more parameters than a Path holds", many, map[string]string{"p": "x"}, false},
		{"as many as it holds", strings.Repeat("/{p}", MaxParams), map[string]string{"p": "x"}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := Routed(tc.tmpl, func(n string) string { return tc.params[n] })
			if got := c.AllowsPath([]string{"all"}, "", "GET", &p); got != tc.want {
				t.Fatalf("Routed(%q, %v) allowed = %v, want %v", tc.tmpl, tc.params, got, tc.want)
			}
		})
	}
	var zero Path
	if c.AllowsPath([]string{"all"}, "", "GET", &zero) {
		t.Fatal("the zero Path matched")
	}
}

// The route check on a routed path allocates nothing either
// (BENCHMARKS.md: "route check allocates nothing").
func BenchmarkAllowsRouted(b *testing.B) {
	c := defaultCat(b)
	params := map[string]string{"id": "tk_01HZX", "ip": "203.0.113.9"}
	param := func(n string) string { return params[n] }
	scopes := []string{"orders:read", "reports:read", "tokens:admin"}
	b.ReportAllocs()
	for b.Loop() {
		p := Routed("/tokens/{id}/blocked-ips/{ip}", param)
		c.AllowsPath(scopes, "", "DELETE", &p)
	}
}
