package localapi

import (
	"maps"
	"testing"

	"github.com/keymint/keymint/internal/stack"
)

// The local API routes on the percent-decoded path and passes decoded path
// parameters, as `sam local start-api` (AWS's own emulator) does and as
// AWS says HTTP APIs pass parameters (server.go): an encoded '?' or '#'
// stays inside its segment, an encoded '/' splits like a plain one.
func TestRoutesMatchTheDecodedPath(t *testing.T) {
	t.Parallel()
	var routes []route
	for _, r := range []stack.Route{
		{Method: "GET", Path: "/tokens/{id}"},
		{Method: "GET", Path: "/tokens/{id}/usage"},
		{Method: "GET", Path: "/reports/{proxy+}"},
	} {
		routes = append(routes, compile(r))
	}
	cases := []struct {
		path      string // as net/http decodes it (URL.Path)
		wantRoute string
		params    map[string]string
	}{
		{"/tokens/x?/usage", "/tokens/{id}/usage", map[string]string{"id": "x?"}},
		{"/tokens/x#", "/tokens/{id}", map[string]string{"id": "x#"}},
		{"/tokens/a/b", "", nil}, // from /tokens/a%2Fb: three segments, no route
		{"/tokens/%3F", "/tokens/{id}", map[string]string{"id": "%3F"}}, // from %253F: decoded once
		{"/reports/2026?/q1", "/reports/{proxy+}", map[string]string{"proxy": "2026?/q1"}},
		{"/tokens/", "", nil},
	}
	for _, c := range cases {
		rt, params, ok := find(routes, "GET", c.path)
		if got := map[bool]string{true: rt.Path}[ok]; got != c.wantRoute || ok && !maps.Equal(params, c.params) {
			t.Errorf("find(%q) = %q %v, want %q %v", c.path, got, params, c.wantRoute, c.params)
		}
	}
}
