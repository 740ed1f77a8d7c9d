package validate

import (
	"encoding/json"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/keymint/keymint/shared/policy"
)

// shapeCatalogue: orders:read opens /orders/{id} and nothing under it;
// items opens /orders/{id}/items; files:top one segment under /files,
// files:all everything under it.
func shapeCatalogue(t *testing.T) *policy.Catalogue {
	t.Helper()
	cat, err := policy.Parse([]byte(`{"scopes": {
		"orders:read": {"routes": ["GET /orders", "GET /orders/*"]},
		"items":       {"routes": ["GET /orders/*/items"]},
		"files:top":   {"routes": ["GET /files/*"]},
		"files:all":   {"routes": ["GET /files/**"]}
	}}`))
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

// routedCase is a request API Gateway matched to a route template, with
// its parameters as API Gateway passes them, and whether a token holding
// scopes may call it.
type routedCase struct {
	name   string
	tmpl   string // "/orders/{id}/items"
	params map[string]string
	raw    string // the stage-relative path the methodArn or rawPath carries
	scopes []string
	want   bool
}

// routedCases are issue 23's item 2 and its neighbours: a parameter's
// value is one segment whatever it holds, so it can neither shorten,
// lengthen nor reshape the route API Gateway matched.
var routedCases = []routedCase{
	{"issue 23: %3F in a parameter does not cut the route", "/orders/{id}/items", map[string]string{"id": "1?"}, "/orders/1%3F/items", []string{"orders:read"}, false},
	{"the same route with the scope that opens it", "/orders/{id}/items", map[string]string{"id": "1?"}, "/orders/1%3F/items", []string{"items"}, true},
	{"'?' and a query-looking rest", "/orders/{id}/items", map[string]string{"id": "1?x=/y"}, "/orders/1%3Fx=%2Fy/items", []string{"orders:read"}, false},
	{"'#' does not cut", "/orders/{id}/items", map[string]string{"id": "1#"}, "/orders/1%23/items", []string{"orders:read"}, false},
	{"'/' does not lengthen", "/orders/{id}", map[string]string{"id": "1/items"}, "/orders/1%2Fitems", []string{"items"}, false},
	{"'/' stays inside its segment", "/orders/{id}", map[string]string{"id": "1/items"}, "/orders/1%2Fitems", []string{"orders:read"}, true},
	{"a literal %2F is one opaque segment", "/orders/{id}", map[string]string{"id": "1%2Fitems"}, "/orders/1%252Fitems", []string{"orders:read"}, true},
	{"%25 is one opaque segment", "/orders/{id}", map[string]string{"id": "%25"}, "/orders/%2525", []string{"orders:read"}, true},
	{"'.' is refused", "/orders/{id}", map[string]string{"id": "."}, "/orders/.", []string{"orders:read"}, false},
	{"'..' is refused", "/orders/{id}/items", map[string]string{"id": ".."}, "/orders/../items", []string{"orders:read", "items"}, false},
	{"'..' cannot climb to a shorter route", "/orders/{id}/items", map[string]string{"id": ".."}, "/orders/../items", []string{"orders:read"}, false},
	{"%2E%2E decoded once is refused", "/orders/{id}", map[string]string{"id": "%2E%2E"}, "/orders/%252E%252E", []string{"orders:read"}, false},
	{"non-UTF-8 (replaced) is one segment", "/orders/{id}", map[string]string{"id": "\ufffd"}, "/orders/%FF", []string{"orders:read"}, true},
	{"empty parameter matches nothing", "/orders/{id}", map[string]string{"id": ""}, "/orders/", []string{"orders:read"}, false},
	{"missing parameter matches nothing", "/orders/{id}/items", nil, "/orders//items", []string{"orders:read", "items"}, false},
	{"greedy: the rest, split at '/'", "/files/{path+}", map[string]string{"path": "a/b"}, "/files/a/b", []string{"files:top"}, false},
	{"greedy: the rest, under **", "/files/{path+}", map[string]string{"path": "a/b"}, "/files/a/b", []string{"files:all"}, true},
	{"greedy: '?' does not cut it", "/files/{path+}", map[string]string{"path": "a?/b"}, "/files/a%3F/b", []string{"files:top"}, false},
	{"greedy: a dot segment is refused", "/files/{path+}", map[string]string{"path": "a/../b"}, "/files/a/../b", []string{"files:all"}, false},
	{"greedy: an encoded slash is refused", "/files/{path+}", map[string]string{"path": "a%2Fb"}, "/files/a%252Fb", []string{"files:all"}, false},
	{"greedy: one segment", "/files/{path+}", map[string]string{"path": "a"}, "/files/a", []string{"files:top"}, true},
}

const bearerHeader = "Bearer kmt_AAAAAAAAAAAAAAAA_BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB_CCCCCC"

// readEvent reads payload on both paths (readBoth: they must agree) and
// gives what the fast path read, or encoding/json's when it declines.
func readEvent(t *testing.T, payload []byte) input {
	t.Helper()
	var in input
	var e event
	if !readBoth(t, payload) || !parseEvent(payload, &e) {
		if err := decodeInput(payload, &in); err != nil {
			t.Fatalf("decodeInput: %v", err)
		}
		return in
	}
	if _, err := e.input(&in); err != nil {
		t.Fatalf("input: %v", err)
	}
	return in
}

// allowedIn is the route check validate runs on what an event reader read.
func allowedIn(cat *policy.Catalogue, in *input, scopes []string) bool {
	return in.req.routeAllowed(cat, scopes, "")
}

// The route checked is the one API Gateway matched, for every event shape
// that names it: HTTP API payload 2.0 (routeKey + pathParameters) and REST
// REQUEST (resource + pathParameters), whatever the raw path says.
func TestRoutedEventsCheckTheMatchedRoute(t *testing.T) {
	t.Parallel()
	cat := shapeCatalogue(t)
	for _, c := range routedCases {
		httpEv := events.APIGatewayV2CustomAuthorizerV2Request{
			Version: "2.0", Type: "REQUEST",
			RouteArn:       "arn:aws:execute-api:us-east-1:123456789012:abcdef123/$default/GET" + c.raw,
			IdentitySource: []string{bearerHeader},
			RouteKey:       "GET " + c.tmpl, RawPath: c.raw, PathParameters: c.params,
			RequestContext: events.APIGatewayV2HTTPRequestContext{Stage: "$default", RouteKey: "GET " + c.tmpl,
				HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "GET", Path: c.raw, SourceIP: "192.0.2.1"}},
		}
		restEv := events.APIGatewayCustomAuthorizerRequestTypeRequest{
			Type: "REQUEST", MethodArn: "arn:aws:execute-api:us-east-1:123456789012:abcdef123/prod/GET" + c.raw,
			Resource: c.tmpl, Path: c.raw, HTTPMethod: "GET",
			Headers: map[string]string{"Authorization": bearerHeader}, PathParameters: c.params,
		}
		for shape, ev := range map[string]any{"http v2": httpEv, "rest request": restEv} {
			t.Run(shape+": "+c.name, func(t *testing.T) {
				raw, err := json.Marshal(ev)
				if err != nil {
					t.Fatal(err)
				}
				in := readEvent(t, raw)
				if got := allowedIn(cat, &in, c.scopes); got != c.want {
					t.Fatalf("GET %s %v with %v: allowed = %v, want %v (read as %q)", c.tmpl, c.params, c.scopes, got, c.want, in.req.Path)
				}
			})
		}
	}
}

// Where only a path is given (a REST TOKEN authorizer's methodArn, an HTTP
// API $default route's rawPath), no character in it starts a query: a
// methodArn never carries one, so a '?' there, encoded or not, is part of
// a segment. Dot and empty segments match nothing.
func TestPathOnlyEventsAreNotCut(t *testing.T) {
	t.Parallel()
	cat := shapeCatalogue(t)
	cases := []struct {
		path   string
		scopes []string
		want   bool
	}{
		{"/orders/1?/items", []string{"orders:read"}, false},
		{"/orders/1%3F/items", []string{"orders:read"}, false},
		{"/orders/1?x=/items", []string{"orders:read"}, false},
		{"/orders/1#/items", []string{"orders:read"}, false},
		{"/orders/1?", []string{"orders:read"}, true}, // one segment, "1?"
		{"/orders/1%2Fitems", []string{"items"}, false},
		{"/orders/1%2Fitems", []string{"orders:read"}, false}, // one segment or two: refused as either
		{"/orders/1%25", []string{"orders:read"}, true},
		{"/orders/../orders/1", []string{"orders:read"}, false},
		{"/orders/%2E%2E", []string{"orders:read"}, false},
		{"/orders/.%2e/items", []string{"orders:read", "items"}, false},
		{"/orders//items", []string{"orders:read", "items"}, false},
		{"/orders/1/items", []string{"items"}, true},
	}
	for _, c := range cases {
		token := events.APIGatewayCustomAuthorizerRequest{Type: "TOKEN", AuthorizationToken: bearerHeader,
			MethodArn: "arn:aws:execute-api:us-east-1:123456789012:abcdef123/prod/GET" + c.path}
		catchAll := events.APIGatewayV2CustomAuthorizerV2Request{
			Version: "2.0", Type: "REQUEST", IdentitySource: []string{bearerHeader},
			RouteArn: "arn:aws:execute-api:us-east-1:123456789012:abcdef123/$default/GET" + c.path,
			RouteKey: "$default", RawPath: c.path,
			RequestContext: events.APIGatewayV2HTTPRequestContext{Stage: "$default", RouteKey: "$default",
				HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "GET", Path: c.path}},
		}
		for shape, ev := range map[string]any{"rest token": token, "http $default": catchAll} {
			t.Run(shape+": "+c.path, func(t *testing.T) {
				raw, err := json.Marshal(ev)
				if err != nil {
					t.Fatal(err)
				}
				in := readEvent(t, raw)
				if got := allowedIn(cat, &in, c.scopes); got != c.want {
					t.Fatalf("GET %s with %v: allowed = %v, want %v", c.path, c.scopes, got, c.want)
				}
			})
		}
	}
}

// A direct invoke's route is "METHOD /path" and nothing more: a '?' or
// '#' in it is refused as a malformed route, never cut.
func TestDirectRouteIsAPathAlone(t *testing.T) {
	t.Parallel()
	cat := shapeCatalogue(t)
	cases := []struct {
		route     string
		malformed bool
		want      bool // with orders:read, when not malformed
	}{
		{"GET /orders/1?/items", true, false},
		{"GET /orders/1?", true, false},
		{"GET /orders?limit=5", true, false},
		{"GET /orders/1#/items", true, false},
		{"GET", true, false},
		{"GET /orders/1%3F/items", false, false},
		{"GET /orders/1%2F", true, false},
		{"GET /orders/1", false, true},
		{"GET /orders/../orders/1", true, false},
		{"GET orders/1", true, false},
	}
	for _, c := range cases {
		t.Run(c.route, func(t *testing.T) {
			raw, err := json.Marshal(DirectRequest{Token: "kmt_x", Route: c.route})
			if err != nil {
				t.Fatal(err)
			}
			in := readEvent(t, raw)
			if in.badRoute != c.malformed {
				t.Fatalf("badRoute = %v, want %v", in.badRoute, c.malformed)
			}
			if !c.malformed {
				if got := allowedIn(cat, &in, []string{"orders:read"}); got != c.want {
					t.Fatalf("allowed = %v, want %v", got, c.want)
				}
			}
		})
	}
}
