package validate_test

import (
	"encoding/json"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/keymint/keymint/internal/testkit"
	"github.com/keymint/keymint/shared/manage"
	"github.com/keymint/keymint/shared/validate"
)

// Issue 23, item 2, through the handler: an encoded '?' in a path
// parameter does not cut the route checked, and a direct invoke's route
// holding a '?' is refused as malformed. The token may read /tokens/{id}
// (tokens:read opens GET /tokens/* in testdata/scopes.json) and nothing
// below it.
func TestEncodedQuestionMarkDoesNotCutTheRoute(t *testing.T) {
	t.Parallel()
	f := newFixture(t, testkit.Env{"VALIDATE_CACHE_TTL": "0"})
	reader := f.issue(t, manage.IssueRequest{Name: "r", Scopes: []string{"tokens:read"}})
	ev := func(rawPath, routeKey string, params map[string]string) []byte {
		raw, _ := json.Marshal(events.APIGatewayV2CustomAuthorizerV2Request{
			Version: "2.0", Type: "REQUEST",
			RouteArn:       "arn:aws:execute-api:us-east-1:123456789012:abcdef123/$default/GET" + rawPath,
			IdentitySource: []string{"Bearer " + reader.Plaintext},
			RouteKey:       routeKey, RawPath: rawPath, PathParameters: params,
			RequestContext: events.APIGatewayV2HTTPRequestContext{Stage: "$default", RouteKey: routeKey,
				HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "GET", Path: rawPath, SourceIP: "192.0.2.1"}},
		})
		return raw
	}
	httpCases := []struct {
		name string
		ev   []byte
		want bool
	}{
		{"%3F in a parameter", ev("/tokens/x%3F/usage", "GET /tokens/{id}/usage", map[string]string{"id": "x?"}), false},
		{"rawPath cut at the decoded '?'", ev("/tokens/x", "GET /tokens/{id}/usage", map[string]string{"id": "x?"}), false},
		{"%23 in a parameter", ev("/tokens/x%23/usage", "GET /tokens/{id}/usage", map[string]string{"id": "x#"}), false},
		{"the route the token opens, '?' and all", ev("/tokens/x%3F", "GET /tokens/{id}", map[string]string{"id": "x?"}), true},
		{"%2F in a parameter stays one segment", ev("/tokens/x%2Fusage", "GET /tokens/{id}", map[string]string{"id": "x/usage"}), true},
	}
	for _, c := range httpCases {
		t.Run("http v2: "+c.name, func(t *testing.T) {
			out, err := invoke[events.APIGatewayV2CustomAuthorizerSimpleResponse](t, f.h, c.ev)
			if err != nil {
				t.Fatal(err)
			}
			if out.IsAuthorized != c.want {
				t.Fatalf("isAuthorized = %v, want %v", out.IsAuthorized, c.want)
			}
		})
	}
	directCases := []struct {
		route  string
		active bool
		reason validate.Status
	}{
		{"GET /tokens/x?/usage", false, validate.MalformedRoute},
		{"GET /tokens/x#/usage", false, validate.MalformedRoute},
		{"GET /tokens?limit=1", false, validate.MalformedRoute},
		{"GET /tokens/../owners/bob/status", false, validate.MalformedRoute},
		{"GET /tokens/x%3F/usage", false, validate.ScopeDenied},
		{"GET /tokens/x", true, ""},
	}
	for _, c := range directCases {
		t.Run("direct: "+c.route, func(t *testing.T) {
			got := f.direct(t, validate.DirectRequest{Token: reader.Plaintext, Route: c.route})
			if got.Active != c.active || got.Reason != c.reason {
				t.Fatalf("active %v reason %q, want %v %q", got.Active, got.Reason, c.active, c.reason)
			}
		})
	}
}
