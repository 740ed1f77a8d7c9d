package validate_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/keymint/keymint/internal/testkit"
	"github.com/keymint/keymint/shared/manage"
)

// revokeEvent is an HTTP API authorizer event for `method /tokens/{id}`
// with id, on keymint's management API or on another API.
func revokeEvent(tok, method, id string, management bool) []byte {
	path := "/tokens/" + id
	ev := events.APIGatewayV2CustomAuthorizerV2Request{
		Version: "2.0", Type: "REQUEST",
		RouteArn:       "arn:aws:execute-api:us-east-1:123456789012:api/$default/" + method + path,
		IdentitySource: []string{"Bearer " + tok}, RouteKey: method + " /tokens/{id}", RawPath: path,
		Headers:        map[string]string{"authorization": "Bearer " + tok},
		PathParameters: map[string]string{"id": id},
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: method, Path: path, SourceIP: "198.51.100.7"},
		},
	}
	if management {
		ev.StageVariables = map[string]string{"keymint": "management"}
	}
	raw, _ := json.Marshal(ev)
	return raw
}

// A deactivated token may revoke itself on the management API, and only
// that: the answer allows that one request with no scopes (simple: an
// allow whose context says revokeOnly; IAM: an Allow of exactly the
// routeArn). Another route, another id, or another API is refused.
func TestDeactivatedTokenIsAllowedOnlyToRevokeItself(t *testing.T) {
	t.Parallel()
	for _, mode := range []string{"simple", "iam"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			// The shipped catalogue: its self routes hold the revocation.
			env := testkit.Env{"VALIDATE_CACHE_TTL": "0", "SCOPES_FILE": "../policy/scopes.json"}
			if mode == "iam" {
				env["AUTHORIZER_RESPONSE"] = "iam"
			}
			f := newFixture(t, env)
			scopes := []string{"tokens:read"}
			self := f.issue(t, manage.IssueRequest{Name: "self", Scopes: scopes})
			other := f.issue(t, manage.IssueRequest{Name: "other", Scopes: scopes})
			if _, err := f.svc.Deactivate(context.Background(), ops, self.Token.ID); err != nil {
				t.Fatal(err)
			}
			cases := []struct {
				name       string
				method, id string
				management bool
				allowed    bool
			}{
				{"revoking itself", "DELETE", self.Token.ID, true, true},
				{"reading itself", "GET", self.Token.ID, true, false},
				{"revoking another", "DELETE", other.Token.ID, true, false},
				{"revoking itself on another API", "DELETE", self.Token.ID, false, false},
			}
			for _, c := range cases {
				ev := revokeEvent(self.Plaintext, c.method, c.id, c.management)
				allowed, ctx := answerOf(t, f, mode, ev)
				if allowed != c.allowed {
					t.Errorf("%s: allowed %v, want %v", c.name, allowed, c.allowed)
					continue
				}
				if allowed && (ctx["revokeOnly"] != true || ctx["scopes"] != "" || ctx["tokenId"] != self.Token.ID) {
					t.Errorf("%s: context %v, want revokeOnly with no scopes", c.name, ctx)
				}
			}
		})
	}
}

// answerOf reads an HTTP API answer in either mode: whether it allows,
// and its context. An IAM answer allows only when its one statement is an
// Allow of exactly the event's routeArn.
func answerOf(t *testing.T, f *fixture, mode string, ev []byte) (bool, map[string]any) {
	t.Helper()
	if mode == "simple" {
		resp, err := invoke[events.APIGatewayV2CustomAuthorizerSimpleResponse](t, f.h, ev)
		if err != nil {
			t.Fatal(err)
		}
		return resp.IsAuthorized, resp.Context
	}
	var in events.APIGatewayV2CustomAuthorizerV2Request
	if err := json.Unmarshal(ev, &in); err != nil {
		t.Fatal(err)
	}
	resp, err := invoke[events.APIGatewayV2CustomAuthorizerIAMPolicyResponse](t, f.h, ev)
	if err != nil {
		t.Fatal(err)
	}
	st := resp.PolicyDocument.Statement
	if len(st) != 1 || st[0].Effect != "Allow" {
		return false, resp.Context
	}
	if len(st[0].Resource) != 1 || st[0].Resource[0] != in.RouteArn {
		t.Fatalf("Allow of %v, want exactly %s", st[0].Resource, in.RouteArn)
	}
	return true, resp.Context
}
