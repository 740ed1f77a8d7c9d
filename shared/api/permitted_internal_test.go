package api

import (
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/keymint/keymint/shared/manage"
	"github.com/keymint/keymint/shared/policy"
)

// The functions' own route check reads the route API Gateway matched
// (routeKey) with each path parameter as one segment: a '?', '#' or '/'
// in a value can neither shorten the route to one the caller's scopes or
// self routes open, nor lengthen it into one (issue 23, item 2).
func TestPermittedChecksTheMatchedRoute(t *testing.T) {
	t.Parallel()
	cat, err := policy.Default()
	if err != nil {
		t.Fatal(err)
	}
	const own = "ABCDEFGHIJKLMNOP"
	cases := []struct {
		name     string
		routeKey string
		params   map[string]string
		scopes   []string
		want     bool
	}{
		{"issue 23: own id%3F/usage is not the self route", "GET /tokens/{id}/usage", map[string]string{"id": own + "?"}, []string{"orders:read"}, false},
		{"own id#/usage is not the self route", "GET /tokens/{id}/usage", map[string]string{"id": own + "#"}, []string{"orders:read"}, false},
		{"own usage needs tokens:read", "GET /tokens/{id}/usage", map[string]string{"id": own}, []string{"orders:read"}, false},
		{"the self route itself", "GET /tokens/{id}", map[string]string{"id": own}, []string{"orders:read"}, true},
		{"self with a '?' is another id", "GET /tokens/{id}", map[string]string{"id": own + "?"}, []string{"orders:read"}, false},
		{"self with a '/' is another id", "DELETE /tokens/{id}", map[string]string{"id": own + "/x"}, []string{"orders:read"}, false},
		{"'/' in a value does not reach a deeper route", "GET /tokens/{id}", map[string]string{"id": "x/usage"}, []string{"tokens:read"}, true},
		{"tokens:read opens usage", "GET /tokens/{id}/usage", map[string]string{"id": "x?"}, []string{"tokens:read"}, true},
		{"dot value refused", "GET /tokens/{id}", map[string]string{"id": ".."}, []string{"tokens:read"}, false},
		{"empty value refused", "GET /tokens/{id}", map[string]string{"id": ""}, []string{"tokens:read"}, false},
		{"no route key", "", nil, []string{"tokens:read"}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req := events.APIGatewayV2HTTPRequest{RouteKey: c.routeKey, PathParameters: c.params}
			caller := manage.Caller{TokenID: own, Owner: "alice", Scopes: cat.Effective(c.scopes)}
			if got := permitted(cat, caller, &req) == nil; got != c.want {
				t.Fatalf("permitted(%s %v, %v) = %v, want %v", c.routeKey, c.params, c.scopes, got, c.want)
			}
		})
	}
}
