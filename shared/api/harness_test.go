package api_test

import (
	"context"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/keymint/keymint/shared/manage"
	"github.com/keymint/keymint/shared/registry"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/keymint/keymint/internal/testkit"
	"github.com/keymint/keymint/shared/api"
)

// routes maps each routeKey the authorizer guards to the handler that
// serves it ("issue" for IssueFunction), from the route table.
var routes = func() map[string]string {
	m := map[string]string{}
	for _, r := range api.Table() {
		if !r.Access.Public {
			m[r.Key()] = strings.ToLower(strings.TrimSuffix(r.Function, "Function"))
		}
	}
	return m
}()

// stack drives the real handlers the way API Gateway does: the authorizer
// first (HTTP API v2 event, simple response), then the function with the
// authorizer's context.
type stack struct {
	*testkit.App
	t        *testing.T
	handlers map[string]lambda.Handler
	sourceIP string
	admin    string
}

func newStack(t *testing.T, env testkit.Env) *stack {
	return newLoggingStack(t, env, nil)
}

func newLoggingStack(t *testing.T, env testkit.Env, w io.Writer) *stack {
	a := testkit.NewLoggingApp(t, env, w)
	// The registry's constructors: exactly what Lambda runs.
	fns := registry.Functions()
	s := &stack{App: a, t: t, sourceIP: "198.51.100.7", handlers: map[string]lambda.Handler{
		"issue":    fns["IssueFunction"](a.App),
		"revoke":   fns["RevokeFunction"](a.App),
		"describe": fns["DescribeFunction"](a.App),
		"validate": fns["ValidateFunction"](a.App),
	}}
	if a.Config.RequireEnablement {
		// As `make admin` does: the bootstrap owner is enabled first.
		if _, err := a.Service().SetOwnerStatus(context.Background(), manage.Caller{Ops: true}, "admin", "active", time.Time{}); err != nil {
			t.Fatal(err)
		}
	}
	s.admin = s.direct(map[string]any{"owner": "admin", "name": "root", "scopes": []string{"tokens:admin", "tokens:read", "tokens:write"}}).Token
	return s
}

// direct issues through the IssueFunction's ops direct invoke.
func (s *stack) direct(body map[string]any) api.TokenView {
	s.t.Helper()
	raw, _ := json.Marshal(body)
	out, err := s.handlers["issue"].Invoke(context.Background(), raw)
	if err != nil {
		s.t.Fatalf("direct issue: %v", err)
	}
	var v api.TokenView
	if err := json.Unmarshal(out, &v); err != nil {
		s.t.Fatal(err)
	}
	return v
}

// matchRoute finds the template route for a concrete path.
func matchRoute(method, path string) (string, map[string]string, bool) {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	for key := range routes {
		m, p, _ := strings.Cut(key, " ")
		if m != method {
			continue
		}
		psegs := strings.Split(strings.Trim(p, "/"), "/")
		if len(psegs) != len(segs) {
			continue
		}
		params := map[string]string{}
		ok := true
		for i, ps := range psegs {
			if strings.HasPrefix(ps, "{") {
				params[strings.Trim(ps, "{}")] = segs[i]
			} else if ps != segs[i] {
				ok = false
				break
			}
		}
		if ok {
			return key, params, true
		}
	}
	return "", nil, false
}

type response struct {
	status int
	header map[string]string
	body   []byte
}

func (r response) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

func (r response) problem(t *testing.T) api.Problem {
	t.Helper()
	if r.header["Content-Type"] != "application/problem+json" {
		t.Fatalf("status %d content type %q, want problem+json: %s", r.status, r.header["Content-Type"], r.body)
	}
	var p api.Problem
	r.decode(t, &p)
	if p.Status != r.status || p.Type == "" || p.Title == "" {
		t.Fatalf("problem fields: %+v", p)
	}
	return p
}

// call sends one request through authorizer and function.
func (s *stack) call(method, path, token string, body any) response {
	s.t.Helper()
	return s.callWith(method, path, token, body, nil)
}

// callWith is call with extra request headers (lower-case names, as API
// Gateway's payload 2.0 has them). Each answer of a function is checked
// against openapi.json (checkAnswer); the authorizer's own refusals (401,
// 403, 500 with API Gateway's body) are not the function's and go unchecked.
func (s *stack) callWith(method, path, token string, body any, extra map[string]string) response {
	s.t.Helper()
	ctx := context.Background()
	rawPath, rawQuery, _ := strings.Cut(path, "?")
	key, params, ok := matchRoute(method, rawPath)
	if !ok {
		s.t.Fatalf("no route for %s %s", method, path)
	}
	query := map[string]string{}
	for _, kv := range strings.Split(rawQuery, "&") {
		if k, v, ok := strings.Cut(kv, "="); ok {
			query[k] = v
		}
	}
	headers := map[string]string{}
	for k, v := range extra {
		headers[k] = v
	}
	if token != "" {
		headers["authorization"] = "Bearer " + token
	}
	httpCtx := events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: method, Path: rawPath, SourceIP: s.sourceIP}
	authEv := events.APIGatewayV2CustomAuthorizerV2Request{
		Version: "2.0", Type: "REQUEST", RouteArn: "arn:aws:execute-api:us-east-1:123456789012:api/$default/" + method + rawPath,
		IdentitySource: []string{headers["authorization"]}, RouteKey: key, RawPath: rawPath, Headers: headers,
		PathParameters: params,
		RequestContext: events.APIGatewayV2HTTPRequestContext{HTTP: httpCtx, RouteKey: key},
		// keymint's management API marks itself so (template.yaml).
		StageVariables: map[string]string{"keymint": "management"},
	}
	if token == "" {
		return response{status: 401}
	}
	raw, _ := json.Marshal(authEv)
	out, err := s.handlers["validate"].Invoke(ctx, raw)
	if err != nil {
		// An HTTP API answers any authorizer error with 500; no error
		// means 401 there.
		return response{status: 500}
	}
	var verdict events.APIGatewayV2CustomAuthorizerSimpleResponse
	if err := json.Unmarshal(out, &verdict); err != nil {
		s.t.Fatal(err)
	}
	if !verdict.IsAuthorized {
		return response{status: 403}
	}
	var b string
	switch v := body.(type) {
	case nil:
	case string:
		b = v
	default:
		raw, _ := json.Marshal(v)
		b = string(raw)
	}
	ev := events.APIGatewayV2HTTPRequest{
		Version: "2.0", RouteKey: key, RawPath: rawPath, RawQueryString: rawQuery, Headers: headers,
		QueryStringParameters: query, PathParameters: params, Body: b,
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			HTTP: httpCtx, RouteKey: key, RequestID: "req-1", Stage: "$default",
			Authorizer: &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{Lambda: verdict.Context},
		},
	}
	raw, _ = json.Marshal(ev)
	out, err = s.handlers[routes[key]].Invoke(ctx, raw)
	if err != nil {
		s.t.Fatalf("%s: function error %v", key, err)
	}
	var resp events.APIGatewayV2HTTPResponse
	if err := json.Unmarshal(out, &resp); err != nil {
		s.t.Fatal(err)
	}
	// Every function answer must be one openapi.json describes.
	checkAnswer(s.t, answer{routeKey: key, path: rawPath, query: rawQuery, reqHdr: headers,
		status: resp.StatusCode, header: resp.Headers, body: []byte(resp.Body)})
	return response{status: resp.StatusCode, header: resp.Headers, body: []byte(resp.Body)}
}

// itemCount counts every item in the table (strongly consistent scan).
func (s *stack) itemCount() int {
	s.t.Helper()
	n := 0
	p := dynamodb.NewScanPaginator(s.DB, &dynamodb.ScanInput{TableName: aws.String(s.Table), ConsistentRead: aws.Bool(true), Select: "COUNT"})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			s.t.Fatalf("scan: %v", err)
		}
		n += int(page.Count)
	}
	return n
}

// issue issues a token via the API as the admin and returns it.
func (s *stack) issue(token string, body map[string]any) api.TokenView {
	s.t.Helper()
	r := s.call("POST", "/tokens", token, body)
	if r.status != 201 {
		s.t.Fatalf("issue: %d %s", r.status, r.body)
	}
	var v api.TokenView
	r.decode(s.t, &v)
	return v
}

func scopes(s ...string) []string { return s }
