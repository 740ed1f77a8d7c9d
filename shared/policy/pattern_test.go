package policy

import "testing"

func TestPatternMatch(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		pattern string
		method  string
		path    string
		want    bool
	}{
		{"exact", "GET /orders", "GET", "/orders", true},
		{"exact other path", "GET /orders", "GET", "/order", false},
		{"exact longer path", "GET /orders", "GET", "/orders/1", false},
		{"case-sensitive path", "GET /orders", "GET", "/Orders", false},
		{"other method", "GET /orders", "POST", "/orders", false},
		{"lower-case method", "GET /orders", "get", "/orders", false},
		{"trailing slash on request", "GET /orders", "GET", "/orders/", true},
		{"trailing slash on pattern", "GET /orders/", "GET", "/orders", true},
		// A path is split at '/' only: '?' and '#' start nothing (a
		// methodArn never carries a query), so they cannot cut a path short.
		{"question mark is part of a segment", "GET /orders", "GET", "/orders?limit=5", false},
		{"question mark does not cut", "GET /orders/*", "GET", "/orders/1?/items", false},
		{"question mark segment under star", "GET /orders/*/items", "GET", "/orders/1?/items", true},
		{"question mark after slash", "GET /orders", "GET", "/orders/?x=/y", false},
		{"hash does not cut", "GET /orders/*", "GET", "/orders/1#/items", false},
		{"percent is a byte like any other", "GET /orders/*", "GET", "/orders/1%25", true},
		{"an encoded slash in a raw path matches nothing", "GET /orders/*", "GET", "/orders/1%2fitems", false},
		{"percent-encoded dots are dots", "GET /orders/*", "GET", "/orders/%2E%2E", false},
		{"mixed encoded dot is a dot", "GET /orders/*/items", "GET", "/orders/.%2e/items", false},
		{"three dots are a name", "GET /orders/*", "GET", "/orders/...", true},
		{"percent-encoded segment is not its literal", "GET /orders/mine", "GET", "/orders/min%65", false},

		{"star one segment", "GET /orders/*", "GET", "/orders/42", true},
		{"star not zero segments", "GET /orders/*", "GET", "/orders", false},
		{"star not zero segments with slash", "GET /orders/*", "GET", "/orders/", false},
		{"star not two segments", "GET /orders/*", "GET", "/orders/42/items", false},
		{"star in the middle", "GET /tokens/*/usage", "GET", "/tokens/tk_1/usage", true},
		{"star in the middle wrong tail", "GET /tokens/*/usage", "GET", "/tokens/tk_1/audit", false},
		{"star in the middle missing", "GET /tokens/*/usage", "GET", "/tokens/usage", false},
		{"two stars", "PUT /tokens/*/blocked-ips/*", "PUT", "/tokens/a/blocked-ips/10.0.0.1", true},
		{"two stars missing last", "PUT /tokens/*/blocked-ips/*", "PUT", "/tokens/a/blocked-ips", false},

		{"double star one", "GET /reports/**", "GET", "/reports/daily", true},
		{"double star many", "GET /reports/**", "GET", "/reports/2024/06/daily.csv", true},
		{"double star needs one", "GET /reports/**", "GET", "/reports", false},
		{"double star needs one with slash", "GET /reports/**", "GET", "/reports/", false},
		{"double star other prefix", "GET /reports/**", "GET", "/reportsx/daily", false},
		{"double star at root", "GET /**", "GET", "/anything/at/all", true},
		{"double star at root not root", "GET /**", "GET", "/", false},

		{"method star", "* /orders", "DELETE", "/orders", true},
		{"method ANY", "ANY /orders", "PATCH", "/orders", true},
		{"method star wrong path", "* /orders", "GET", "/other", false},
		{"method star empty method", "* /orders", "", "/orders", false},

		{"root", "GET /", "GET", "/", true},
		{"root not a segment", "GET /", "GET", "/x", false},
		{"empty path", "GET /", "GET", "", false},
		{"no leading slash", "GET /orders", "GET", "orders", false},
		{"only query", "GET /", "GET", "?x=1", false},

		{"double slash is not root", "GET /", "GET", "//", false},
		{"double slash leading", "GET /orders", "GET", "//orders", false},
		{"double slash inside", "GET /tokens/*/usage", "GET", "/tokens//usage", false},
		{"double slash inside for star", "GET /orders/*", "GET", "/orders//", false},
		{"double slash under double star", "GET /reports/**", "GET", "/reports/a//b", false},
		{"double trailing slash", "GET /orders", "GET", "/orders//", false},
		{"dot segment", "GET /orders/*", "GET", "/orders/.", false},
		{"dot-dot segment", "PUT /owners/*/status", "PUT", "/owners/../status", false},
		{"dot-dot under double star", "GET /reports/**", "GET", "/reports/../owners/x", false},
		{"dots inside a segment are fine", "GET /orders/*", "GET", "/orders/a..b", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := compilePattern(tt.pattern)
			if err != nil {
				t.Fatalf("compilePattern(%q): %v", tt.pattern, err)
			}
			path := Raw(tt.path)
			got := (path.kind == pathRaw) && tt.method != "" && p.match(tt.method, &path, "")
			if got != tt.want {
				t.Errorf("%q matches %s %q = %v, want %v", tt.pattern, tt.method, tt.path, got, tt.want)
			}
		})
	}
}

func TestCompilePatternCanonical(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want Route
	}{
		{"GET /orders", Route{"GET", "/orders"}},
		{"GET /orders/", Route{"GET", "/orders"}},
		{"ANY /orders/*", Route{"*", "/orders/*"}},
		{"* /reports/**", Route{"*", "/reports/**"}},
		{"GET /", Route{"GET", "/"}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			p, err := compilePattern(tt.in)
			if err != nil {
				t.Fatalf("compilePattern: %v", err)
			}
			if p.route != tt.want {
				t.Errorf("route = %+v, want %+v", p.route, tt.want)
			}
		})
	}
}
