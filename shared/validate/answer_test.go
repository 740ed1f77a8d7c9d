package validate_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/keymint/keymint/internal/testkit"
	"github.com/keymint/keymint/shared/app/validatefn"
	"github.com/keymint/keymint/shared/manage"
	"github.com/keymint/keymint/shared/policy"
	"github.com/keymint/keymint/shared/token"
	"github.com/keymint/keymint/shared/validate"
)

// reference answers as validate did before its byte-level path: each event
// decoded into its aws-lambda-go events type, the answer built as an events
// struct and left to aws-lambda-go to encode. The byte-level handler must
// answer exactly so.
type reference struct {
	v       *validate.Validator
	cat     *policy.Catalogue
	iamHTTP bool
}

func (r reference) handle(ctx context.Context, payload json.RawMessage) (any, error) {
	var p struct {
		Version, Type, MethodArn  string
		AuthorizationToken, Token *string
	}
	if err := json.Unmarshal(payload, &p); err != nil {
		return nil, validate.ErrUnauthorized
	}
	switch {
	case p.Version == "2.0":
		var ev events.APIGatewayV2CustomAuthorizerV2Request
		if err := json.Unmarshal(payload, &ev); err != nil {
			return nil, validate.ErrUnauthorized
		}
		raw := ev.Headers["authorization"]
		if len(ev.IdentitySource) > 0 && ev.IdentitySource[0] != "" {
			raw = ev.IdentitySource[0]
		}
		method, tmpl, _ := strings.Cut(ev.RouteKey, " ")
		if ev.RequestContext.HTTP.Method != "" {
			method = ev.RequestContext.HTTP.Method
		}
		path, ok := policy.FillRoute(tmpl, ev.PathParameters)
		if !ok || tmpl == "" {
			path = policy.StripStage(ev.RawPath, ev.RequestContext.Stage)
		}
		d, err := r.v.Check(ctx, validate.Request{Token: bearerOf(raw), Method: method, Path: path, SourceIP: ev.RequestContext.HTTP.SourceIP})
		if err != nil {
			return nil, err
		}
		if r.iamHTTP {
			arn, _ := policy.ParseMethodARN(ev.RouteArn)
			resp := r.iam(ev.RouteArn, arn, d)
			return events.APIGatewayV2CustomAuthorizerIAMPolicyResponse{PrincipalID: resp.PrincipalID, PolicyDocument: resp.PolicyDocument, Context: resp.Context}, nil
		}
		if d.Status != validate.Valid {
			return events.APIGatewayV2CustomAuthorizerSimpleResponse{IsAuthorized: false}, nil
		}
		return events.APIGatewayV2CustomAuthorizerSimpleResponse{IsAuthorized: true, Context: refContext(d)}, nil
	case p.Type == "TOKEN" || p.AuthorizationToken != nil:
		var ev events.APIGatewayCustomAuthorizerRequest
		if err := json.Unmarshal(payload, &ev); err != nil {
			return nil, validate.ErrUnauthorized
		}
		arn, err := policy.ParseMethodARN(ev.MethodArn)
		if err != nil {
			return nil, validate.ErrUnauthorized
		}
		return r.rest(ctx, ev.MethodArn, arn, validate.Request{Token: bearerOf(ev.AuthorizationToken), Method: arn.Method, Path: "/" + arn.Resource})
	case p.Type == "REQUEST" && p.MethodArn != "":
		var ev events.APIGatewayCustomAuthorizerRequestTypeRequest
		if err := json.Unmarshal(payload, &ev); err != nil {
			return nil, validate.ErrUnauthorized
		}
		arn, err := policy.ParseMethodARN(ev.MethodArn)
		if err != nil {
			return nil, validate.ErrUnauthorized
		}
		path, ok := policy.FillRoute(ev.Resource, ev.PathParameters)
		if !ok || ev.Resource == "" {
			path = "/" + arn.Resource
		}
		return r.rest(ctx, ev.MethodArn, arn, validate.Request{Token: bearerOf(ev.Headers["Authorization"]), Method: ev.HTTPMethod, Path: path, SourceIP: ev.RequestContext.Identity.SourceIP})
	case p.Token != nil:
		var req validate.DirectRequest
		if err := json.Unmarshal(payload, &req); err != nil {
			return nil, validate.ErrUnauthorized
		}
		method, path, _ := strings.Cut(req.Route, " ")
		d, err := r.v.Check(ctx, validate.Request{Token: req.Token, Method: method, Path: path, SourceIP: req.SourceIP})
		if err != nil {
			return nil, err
		}
		if d.Status != validate.Valid {
			return validate.DirectResponse{Active: false, Reason: d.Status}, nil
		}
		t := d.Token
		return validate.DirectResponse{Active: true, TokenID: t.ID, Owner: t.Owner, Name: t.Name, Scopes: t.Scopes,
			ExpiresAt: time.Unix(t.ExpiresAt, 0).UTC().Format(time.RFC3339)}, nil
	}
	return nil, validate.ErrUnauthorized
}

func bearerOf(v string) string {
	return strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), "Bearer "))
}

func refContext(d validate.Decision) map[string]any {
	t := d.Token
	return map[string]any{"kind": "token", "tokenId": t.ID, "owner": t.Owner, "scopes": strings.Join(t.Scopes, " "),
		"expiresAt": time.Unix(t.ExpiresAt, 0).UTC().Format(time.RFC3339)}
}

func (r reference) rest(ctx context.Context, arnText string, arn policy.MethodARN, req validate.Request) (any, error) {
	d, err := r.v.Check(ctx, req)
	if err != nil {
		return nil, err
	}
	if d.Status.Unauthenticated() {
		return nil, validate.ErrUnauthorized
	}
	return r.iam(arnText, arn, d), nil
}

// iam: since issue 23, an Allow names exactly the ARN asked about, and a
// scope denial is a Deny of the stage like every other refusal (it was an
// Allow of all the token's routes).
func (r reference) iam(arnText string, arn policy.MethodARN, d validate.Decision) events.APIGatewayCustomAuthorizerResponse {
	doc, exact := policy.InvokePolicy(arnText, arn)
	if d.Token == nil || d.Status != validate.Valid || !exact {
		principal := "anonymous"
		if d.Token != nil {
			principal = d.Token.Owner
		}
		return events.APIGatewayCustomAuthorizerResponse{PrincipalID: principal, PolicyDocument: policy.DenyPolicy(arn)}
	}
	return events.APIGatewayCustomAuthorizerResponse{PrincipalID: d.Token.Owner, PolicyDocument: doc, Context: refContext(d)}
}

// Every sample event, for tokens that pass and tokens refused for each
// kind of reason, on each stage: the byte-level answer is the reference's,
// byte for byte, on the first call (built) and the second (reused).
func TestAnswersAreThoseOfTheEventsTypes(t *testing.T) {
	t.Parallel()
	for _, iam := range []bool{false, true} {
		env := testkit.Env{"SCOPES_FILE": "testdata/scopes.json"}
		if iam {
			env["AUTHORIZER_RESPONSE"] = "iam"
		}
		a := testkit.NewApp(t, env)
		svc := a.Service()
		ctx := context.Background()
		issue := func(name string, ips ...string) string {
			out, err := svc.Issue(ctx, ops, manage.IssueRequest{Owner: "alice", Name: name, Scopes: []string{"sample:call", "tokens:read"}})
			if err != nil {
				t.Fatal(err)
			}
			for _, ip := range ips {
				if _, err := svc.BlockIP(ctx, ops, out.Token.ID, ip); err != nil {
					t.Fatal(err)
				}
			}
			return out.Plaintext
		}
		good := issue("good")
		revoked := issue("revoked")
		parsed, _ := token.Parse(revoked, "kmt")
		if _, err := svc.Revoke(ctx, ops, parsed.ID); err != nil {
			t.Fatal(err)
		}
		blocked := issue("blocked", "198.51.100.7")
		wrong := token.Token{Prefix: "kmt", ID: parsed.ID, Secret: strings.Repeat("B", token.SecretLen)}.String()
		unknown := token.Token{Prefix: "kmt", ID: strings.Repeat("Q", token.IDLen), Secret: parsed.Secret}.String()

		h := lambda.NewHandler(validatefn.Lambda(a.App))
		ref := lambda.NewHandler(reference{
			v:   validate.NewValidator(a.Store, a.Keyring, a.Catalogue, a.Clock, validatefn.Options(a.App), a.Log),
			cat: a.Catalogue, iamHTTP: iam,
		}.handle)

		tokens := map[string]string{"valid": good, "revoked": revoked, "ip blocked": blocked, "bad secret": wrong, "unknown": unknown, "malformed": "kmt_nope"}
		for tname, tok := range tokens {
			var payloads = map[string][]byte{}
			for _, file := range []string{"http-v2.json", "rest-token.json", "rest-request.json"} {
				raw := bytes.ReplaceAll(sample(t, file, tok), []byte(`"sourceIp": "IP"`), []byte(`"sourceIp": "198.51.100.7"`))
				raw = bytes.ReplaceAll(raw, []byte(`"sourceIp": "..."`), []byte(`"sourceIp": "198.51.100.7"`))
				payloads[file] = raw
				// The same event on another stage: policies name the stage.
				payloads[file+" other stage"] = bytes.ReplaceAll(raw, []byte("/test/"), []byte("/prod/"))
			}
			payloads["http-v2 scope denied"] = bytes.ReplaceAll(payloads["http-v2.json"], []byte(`"routeKey": "$default"`), []byte(`"routeKey": "DELETE /owners/x"`))
			payloads["direct"], _ = json.Marshal(validate.DirectRequest{Token: tok, Route: "GET /whoami", SourceIP: "198.51.100.7"})
			payloads["direct scope denied"], _ = json.Marshal(validate.DirectRequest{Token: tok, Route: "DELETE /owners/x"})
			for pname, payload := range payloads {
				t.Run(tname+"/"+pname, func(t *testing.T) {
					want, wantErr := ref.Invoke(ctx, payload)
					for i := range 2 {
						got, err := h.Invoke(ctx, payload)
						if !sameError(err, wantErr) {
							t.Fatalf("call %d: error %v, want %v", i+1, err, wantErr)
						}
						if !bytes.Equal(got, want) {
							t.Fatalf("call %d:\n got %s\nwant %s", i+1, got, want)
						}
					}
				})
			}
		}
	}
}

func sameError(a, b error) bool {
	if a == nil || b == nil {
		return a == b
	}
	return errors.Is(a, validate.ErrUnauthorized) == errors.Is(b, validate.ErrUnauthorized)
}
