package validate_test

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/keymint/keymint/internal/testkit"
	"github.com/keymint/keymint/shared/manage"
)

// Scope checks see the path as the API's routes do: a named stage in an
// execute-api URL and a custom domain's base-path mapping both sit in the
// raw path, and neither may hide a route the token opens (or open one it
// does not). Events are shaped as AWS documents them for each case.
func TestScopesMatchRoutesBehindStagesAndBasePaths(t *testing.T) {
	t.Parallel()
	f := newFixture(t, testkit.Env{"VALIDATE_CACHE_TTL": "0"})
	reader := f.issue(t, manage.IssueRequest{Name: "r", Scopes: []string{"tokens:read"}})
	other := "ABCDEFGHIJKLMNOP"
	http := func(stage, rawPath, routeKey string, params map[string]string) events.APIGatewayV2CustomAuthorizerV2Request {
		return events.APIGatewayV2CustomAuthorizerV2Request{
			Version: "2.0", Type: "REQUEST",
			RouteArn:       "arn:aws:execute-api:us-east-1:123456789012:abcdef123/" + stage + "/GET" + rawPath,
			IdentitySource: []string{"Bearer " + reader.Plaintext},
			RouteKey:       routeKey, RawPath: rawPath, PathParameters: params,
			RequestContext: events.APIGatewayV2HTTPRequestContext{
				Stage: stage, RouteKey: routeKey,
				HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "GET", Path: rawPath, SourceIP: "192.0.2.1"},
			},
		}
	}
	httpCases := []struct {
		name string
		ev   events.APIGatewayV2CustomAuthorizerV2Request
		want bool
	}{
		{"named stage", http("prod", "/prod/tokens/"+other, "GET /tokens/{id}", map[string]string{"id": other}), true},
		{"custom domain base path", http("$default", "/v1/tokens/"+other, "GET /tokens/{id}", map[string]string{"id": other}), true},
		{"base path and named stage", http("prod", "/keymint/v2/tokens", "GET /tokens", nil), true},
		{"$default route on a named stage", http("prod", "/prod/tokens", "$default", nil), true},
		{"named stage, route the token does not open", http("prod", "/prod/owners/bob/status", "GET /owners/{owner}/status", map[string]string{"owner": "bob"}), false},
		{"a stage prefix cannot smuggle a path", http("tokens", "/tokens/owners/bob/status", "$default", nil), false},
	}
	for _, c := range httpCases {
		t.Run("http v2: "+c.name, func(t *testing.T) {
			raw, _ := json.Marshal(c.ev)
			out, err := invoke[events.APIGatewayV2CustomAuthorizerSimpleResponse](t, f.h, raw)
			if err != nil {
				t.Fatal(err)
			}
			if got := out.IsAuthorized; got != c.want {
				t.Fatalf("isAuthorized = %v, want %v", got, c.want)
			}
		})
	}

	// REST REQUEST: methodArn (stage-relative), path (with the base path)
	// and resource (the template).
	restReq := events.APIGatewayCustomAuthorizerRequestTypeRequest{
		Type: "REQUEST", MethodArn: "arn:aws:execute-api:us-east-1:123456789012:abcdef123/prod/GET/tokens/" + other,
		Resource: "/tokens/{id}", Path: "/v1/tokens/" + other, HTTPMethod: "GET",
		Headers:        map[string]string{"Authorization": "Bearer " + reader.Plaintext},
		PathParameters: map[string]string{"id": other},
		RequestContext: events.APIGatewayCustomAuthorizerRequestTypeRequestContext{
			Path: "/v1/tokens/" + other, Stage: "prod", ResourcePath: "/tokens/{id}", HTTPMethod: "GET",
			Identity: events.APIGatewayCustomAuthorizerRequestTypeRequestIdentity{SourceIP: "192.0.2.1"},
		},
	}
	restTok := events.APIGatewayCustomAuthorizerRequest{Type: "TOKEN", AuthorizationToken: "Bearer " + reader.Plaintext, MethodArn: restReq.MethodArn}
	for name, ev := range map[string]any{"rest request": restReq, "rest token": restTok} {
		t.Run(name+": base path and stage", func(t *testing.T) {
			raw, _ := json.Marshal(ev)
			out, err := invoke[events.APIGatewayCustomAuthorizerResponse](t, f.h, raw)
			if err != nil {
				t.Fatal(err)
			}
			// The Allow names exactly the method asked about (issue 23).
			p := out.PolicyDocument.Statement[0]
			if p.Effect != "Allow" || !slices.Equal(p.Resource, []string{restReq.MethodArn}) {
				t.Fatalf("policy %+v does not allow exactly %s", p, restReq.MethodArn)
			}
		})
	}
}

// With IAM answers for HTTP APIs, a refused token is an explicit Deny, not
// an error (which API Gateway would turn into a 500).
func TestHTTPIAMDeniesWithAPolicy(t *testing.T) {
	t.Parallel()
	f := newFixture(t, testkit.Env{"AUTHORIZER_RESPONSE": "iam"})
	for _, tok := range []string{"kmt_garbage", tamper(f.issue(t, manage.IssueRequest{Name: "x"}).Plaintext)} {
		resp, err := invoke[events.APIGatewayV2CustomAuthorizerIAMPolicyResponse](t, f.h, sample(t, "http-v2.json", tok))
		if err != nil {
			t.Fatalf("err = %v, want a Deny policy", err)
		}
		if resp.PolicyDocument.Statement[0].Effect != "Deny" || resp.Context != nil {
			t.Fatalf("response %+v", resp)
		}
	}
}
