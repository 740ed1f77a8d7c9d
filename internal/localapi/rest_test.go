package localapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/keymint/keymint/internal/localapi"
	"github.com/keymint/keymint/internal/localrt"
	"github.com/keymint/keymint/internal/stack"
)

// fakePlans stands in for API Gateway's control plane: which usage plan
// each API key is attached to, on the one API stage it knows.
type fakePlans struct {
	apiID, stage string
	keys         map[string]string // key value -> usage plan id
	mu           sync.Mutex
	asked        []string // apiID/stage of each question
}

func (f *fakePlans) PlanOf(apiID, stage, key string) (string, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.asked = append(f.asked, apiID+"/"+stage)
	if apiID != f.apiID || stage != f.stage {
		return "", false
	}
	id, ok := f.keys[key]
	return id, ok
}

// restFixture is a REST API (stage v1, key source AUTHORIZER) on fake
// functions: Validate answers by the bearer token it is sent, Example
// records the proxy events it gets.
type restFixture struct {
	srv      *localapi.RestServer
	authz    *recorder[events.APIGatewayCustomAuthorizerRequestTypeRequest]
	calls    *recorder[events.APIGatewayProxyRequest]
	plans    *fakePlans
	log      *bytes.Buffer
	mu       sync.Mutex
	now      time.Time
	response func(events.APIGatewayProxyRequest) ([]byte, error)
}

func (f *restFixture) clock() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *restFixture) advance(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = f.now.Add(d)
}

// The usage plans of the fixture's stage: free and team as template.yaml
// has them, tiny with a quota of three a day and no throttle.
func fixturePlans() map[string]*stack.UsagePlan {
	on := []stack.APIStage{{API: "ShopApi", Stage: "v1"}}
	return map[string]*stack.UsagePlan{
		"FreePlan": {LogicalID: "FreePlan", ID: "freeplan", APIStages: on, Throttle: &stack.Throttle{RateLimit: 2, BurstLimit: 4}, Quota: &stack.Quota{Limit: 1000, Period: "MONTH"}},
		"TeamPlan": {LogicalID: "TeamPlan", ID: "teamplan", APIStages: on, Throttle: &stack.Throttle{RateLimit: 50, BurstLimit: 100}, Quota: &stack.Quota{Limit: 100000, Period: "DAY"}},
		"TinyPlan": {LogicalID: "TinyPlan", ID: "tinyplan", APIStages: on, Quota: &stack.Quota{Limit: 3, Period: "DAY"}},
		// On another API: a key the control plane puts here is refused.
		"ElsewherePlan": {LogicalID: "ElsewherePlan", ID: "elsewhereplan", APIStages: []stack.APIStage{{API: "OtherApi", Stage: "v1"}}},
	}
}

// restContext is what the fake authorizer passes on an allow.
var restContext = map[string]any{"kind": "token", "owner": "alice", "scopes": "orders:read", "expiresAt": "2030-01-01T00:00:00Z"}

// validateREST answers as keymint's authorizer might, by token:
// allow-<key> allows exactly the methodArn and names <key> as the usage
// key (allow- alone names none).
func validateREST(tok, methodArn string) (any, error) {
	policy := func(effect, resource string) map[string]any {
		return map[string]any{"Version": "2012-10-17", "Statement": []any{
			map[string]any{"Effect": effect, "Action": "execute-api:Invoke", "Resource": resource}}}
	}
	if key, ok := strings.CutPrefix(tok, "allow-"); ok || tok == "allow" {
		return events.APIGatewayCustomAuthorizerResponse{PrincipalID: "alice", Context: restContext, UsageIdentifierKey: key,
			PolicyDocument: events.APIGatewayCustomAuthorizerPolicy{Version: "2012-10-17", Statement: []events.IAMPolicyStatement{
				{Action: []string{"execute-api:Invoke"}, Effect: "Allow", Resource: []string{methodArn}}}}}, nil
	}
	switch tok {
	case "deny":
		return map[string]any{"principalId": "alice", "policyDocument": policy("Deny", "arn:aws:execute-api:us-east-1:123456789012:shopapi/v1/*")}, nil
	case "other-route":
		return map[string]any{"principalId": "alice", "policyDocument": policy("Allow", "arn:aws:execute-api:us-east-1:123456789012:shopapi/v1/POST/orders")}, nil
	case "object-context":
		return map[string]any{"principalId": "alice", "policyDocument": policy("Allow", methodArn), "context": map[string]any{"nested": map[string]any{"a": 1}}}, nil
	case "simple":
		return map[string]any{"isAuthorized": true}, nil
	case "broken":
		return nil, errors.New("store unavailable")
	}
	return nil, errors.New("Unauthorized")
}

// newRestFixture builds the server; opts may adjust its Config.
func newRestFixture(t *testing.T, opts ...func(*localapi.RestConfig)) *restFixture {
	t.Helper()
	f := &restFixture{
		authz: &recorder[events.APIGatewayCustomAuthorizerRequestTypeRequest]{},
		calls: &recorder[events.APIGatewayProxyRequest]{},
		plans: &fakePlans{apiID: "shopapi", stage: "v1", keys: map[string]string{
			"key-alice": "freeplan", "key-bob": "freeplan", "key-carol": "teamplan", "key-tiny": "tinyplan", "key-astray": "elsewhereplan"}},
		log: &bytes.Buffer{},
		now: time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC),
	}
	routes := []stack.RestRoute{
		{Route: stack.Route{Method: "GET", Path: "/orders", Authorizer: "Keymint"}, APIKeyRequired: true},
		{Route: stack.Route{Method: "GET", Path: "/orders/{id}", Authorizer: "Keymint"}, APIKeyRequired: true},
		{Route: stack.Route{Method: "POST", Path: "/orders", Authorizer: "Keymint"}, APIKeyRequired: true},
		{Route: stack.Route{Method: "GET", Path: "/reports/{proxy+}", Authorizer: "Keymint"}, APIKeyRequired: true},
		{Route: stack.Route{Method: "GET", Path: "/keyless", Authorizer: "Keymint"}},
		{Route: stack.Route{Method: "GET", Path: "/public"}},
	}
	for i := range routes {
		routes[i].Function, routes[i].API = "Example", "ShopApi"
	}
	api := &stack.RestAPI{
		LogicalID: "ShopApi", StageName: "v1", APIKeySource: "AUTHORIZER", DefaultAuthorizer: "Keymint", APIKeyRequired: true,
		Authorizers: map[string]*stack.RestAuthorizer{"Keymint": {
			Name: "Keymint", Function: "Validate", PayloadType: "REQUEST", IdentityHeaders: []string{"Authorization"},
			IdentityContext: []string{"httpMethod", "resourcePath", "path", "identity.sourceIp"},
		}},
		Routes: routes,
	}
	validate := func(_ context.Context, ev events.APIGatewayCustomAuthorizerRequestTypeRequest) (any, error) {
		f.authz.add(ev)
		return validateREST(strings.TrimPrefix(ev.Headers["Authorization"], "Bearer "), ev.MethodArn)
	}
	example := func(_ context.Context, payload []byte) ([]byte, error) {
		var ev events.APIGatewayProxyRequest
		if err := json.Unmarshal(payload, &ev); err != nil {
			return nil, err
		}
		f.calls.add(ev)
		if f.response != nil {
			return f.response(ev)
		}
		return json.Marshal(events.APIGatewayProxyResponse{StatusCode: 200, Body: `{"ok":true}`,
			Headers: map[string]string{"Content-Type": "application/json"}})
	}
	cfg := localapi.RestConfig{
		API: api,
		Functions: map[string]localrt.Target{
			"Validate": {ID: "Validate", Handler: lambda.NewHandler(validate)},
			"Example":  {ID: "Example", Handler: rawHandler(example), Timeout: 200 * time.Millisecond},
		},
		Plans:      fixturePlans(),
		UsagePlans: f.plans,
		Log:        slog.New(slog.NewTextHandler(f.log, nil)),
		Now:        f.clock,
	}
	for _, o := range opts {
		o(&cfg)
	}
	srv, err := localapi.NewRest(cfg)
	if err != nil {
		t.Fatal(err)
	}
	f.srv = srv
	return f
}

func (f *restFixture) do(method, target, auth string, mutate ...func(*http.Request)) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, target, nil)
	if auth != "" {
		r.Header.Set("Authorization", "Bearer "+auth)
	}
	for _, m := range mutate {
		m(r)
	}
	w := httptest.NewRecorder()
	f.srv.ServeHTTP(w, r)
	return w
}

const shopArn = "arn:aws:execute-api:us-east-1:123456789012:shopapi/v1/"

// An allowed request reaches the integration with the payload 1.0 event:
// the authorizer got the documented REQUEST input, and the integration gets
// the authorizer's principalId and context, the usage key as the request's
// API key, and the caller's address.
func TestRestAllowPassesTheV1Events(t *testing.T) {
	t.Parallel()
	f := newRestFixture(t)
	f.response = func(events.APIGatewayProxyRequest) ([]byte, error) {
		return json.Marshal(events.APIGatewayProxyResponse{StatusCode: 201, Body: "made",
			Headers:           map[string]string{"X-One": "a", "X-Single": "s"},
			MultiValueHeaders: map[string][]string{"X-One": {"a", "b"}, "Set-Cookie": {"c=1", "d=2"}}})
	}
	w := f.do("GET", "/v1/orders/42?x=1&x=2&y=3", "allow-key-alice", func(r *http.Request) { r.Header.Add("Accept", "text/plain") })
	if w.Code != 201 || w.Body.String() != "made" {
		t.Fatalf("%d %q, want the integration's 201", w.Code, w.Body)
	}
	// headers and multiValueHeaders merged, a pair given in both once.
	if got := w.Header().Values("X-One"); !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("X-One %v", got)
	}
	if w.Header().Get("X-Single") != "s" || !slices.Equal(w.Header().Values("Set-Cookie"), []string{"c=1", "d=2"}) || w.Header().Get("Content-Type") != "" {
		t.Errorf("response headers %v", w.Header())
	}

	authz := f.authz.all()
	if len(authz) != 1 {
		t.Fatalf("%d authorizer calls", len(authz))
	}
	a := authz[0]
	rc := a.RequestContext
	if a.Type != "REQUEST" || a.MethodArn != shopArn+"GET/orders/42" || a.Resource != "/orders/{id}" || a.Path != "/orders/42" || a.HTTPMethod != "GET" ||
		a.Headers["Authorization"] != "Bearer allow-key-alice" || !slices.Equal(a.MultiValueHeaders["Accept"], []string{"text/plain"}) ||
		a.QueryStringParameters["x"] != "2" || !slices.Equal(a.MultiValueQueryStringParameters["x"], []string{"1", "2"}) ||
		!maps.Equal(a.PathParameters, map[string]string{"id": "42"}) || a.StageVariables != nil {
		t.Errorf("authorizer event %+v", a)
	}
	if rc.Path != "/v1/orders/42" || rc.Stage != "v1" || rc.ResourcePath != "/orders/{id}" || rc.HTTPMethod != "GET" || rc.APIID != "shopapi" ||
		rc.AccountID != "123456789012" || rc.Identity.SourceIP != "192.0.2.1" || rc.Identity.APIKey != "" || rc.ResourceID == "" || rc.RequestID == "" {
		t.Errorf("authorizer requestContext %+v", rc)
	}

	calls := f.calls.all()
	if len(calls) != 1 {
		t.Fatalf("%d integration calls", len(calls))
	}
	ev := calls[0]
	want := maps.Clone(restContext)
	want["principalId"] = "alice"
	if !maps.Equal(ev.RequestContext.Authorizer, want) {
		t.Errorf("requestContext.authorizer %v, want %v", ev.RequestContext.Authorizer, want)
	}
	ic := ev.RequestContext
	if ev.Resource != "/orders/{id}" || ev.Path != "/orders/42" || ev.HTTPMethod != "GET" || !maps.Equal(ev.PathParameters, map[string]string{"id": "42"}) ||
		ev.QueryStringParameters["y"] != "3" || ev.Headers["X-Forwarded-For"] != "192.0.2.1" || ev.Body != "" || ev.IsBase64Encoded {
		t.Errorf("integration event %+v", ev)
	}
	if ic.Identity.APIKey != "key-alice" || ic.Identity.SourceIP != "192.0.2.1" || ic.Stage != "v1" || ic.APIID != "shopapi" ||
		ic.Path != "/v1/orders/42" || ic.ResourcePath != "/orders/{id}" || ic.ResourceID != rc.ResourceID || ic.RequestID != rc.RequestID ||
		ic.RequestTimeEpoch != f.now.UnixMilli() {
		t.Errorf("integration requestContext %+v", ic)
	}
	if got := f.plans.asked; !slices.Equal(got, []string{"shopapi/v1"}) {
		t.Errorf("control plane asked about %v, want the API's id and stage", got)
	}
	if strings.Contains(f.log.String(), "key-alice") || !strings.Contains(f.log.String(), "usagePlan=freeplan") {
		t.Errorf("log names the API key or not its plan:\n%s", f.log)
	}
}

// Each refusal is API Gateway's gateway response, status and body, and
// nothing refused reaches the integration.
func TestRestGatewayResponses(t *testing.T) {
	t.Parallel()
	const (
		explicitDeny = `{"Message":"User is not authorized to access this resource with an explicit deny"}`
		implicitDeny = `{"Message":"User is not authorized to access this resource"}`
		unauthorized = `{"message":"Unauthorized"}`
		forbidden    = `{"message":"Forbidden"}`
		missingToken = `{"message":"Missing Authentication Token"}`
		authzError   = `{"message":null}`
	)
	tests := []struct {
		name, method, path, token string
		status                    int
		body                      string // "" for the integration's
		authorizerCalled          bool
	}{
		{"allowed", "GET", "/v1/orders", "allow-key-alice", 200, "", true},
		{"greedy path", "GET", "/v1/reports/sales/2026", "allow-key-alice", 200, "", true},
		{"explicit deny", "GET", "/v1/orders", "deny", 403, explicitDeny, true},
		{"policy for another method", "GET", "/v1/orders", "other-route", 403, implicitDeny, true},
		{"authorizer says Unauthorized", "GET", "/v1/orders", "nobody", 401, unauthorized, true},
		{"no token (uncached: the authorizer decides)", "GET", "/v1/orders", "", 401, unauthorized, true},
		{"authorizer error", "GET", "/v1/orders", "broken", 500, authzError, true},
		{"context holds an object", "GET", "/v1/orders", "object-context", 500, authzError, true},
		{"answer is no policy", "GET", "/v1/orders", "simple", 500, authzError, true},
		{"no usage key", "GET", "/v1/orders", "allow", 403, forbidden, true},
		{"key of no usage plan", "GET", "/v1/orders", "allow-key-stranger", 403, forbidden, true},
		{"key of a plan on another API", "GET", "/v1/orders", "allow-key-astray", 403, forbidden, true},
		{"method without key", "GET", "/v1/keyless", "allow", 200, "", true},
		{"method without authorizer", "GET", "/v1/public", "", 200, "", false},
		{"unknown resource", "GET", "/v1/customers", "allow-key-alice", 403, missingToken, false},
		{"unknown method", "DELETE", "/v1/orders", "allow-key-alice", 403, missingToken, false},
		{"outside the stage", "GET", "/orders", "allow-key-alice", 403, missingToken, false},
		{"another stage", "GET", "/v2/orders", "allow-key-alice", 403, missingToken, false},
		{"stage name as a prefix", "GET", "/v1orders", "allow-key-alice", 403, missingToken, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newRestFixture(t)
			w := f.do(tc.method, tc.path, tc.token)
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d (%s)", w.Code, tc.status, w.Body)
			}
			reached := len(f.calls.all()) == 1
			if tc.body != "" {
				if w.Body.String() != tc.body || w.Header().Get("Content-Type") != "application/json" {
					t.Errorf("body %q (%s), want %q", w.Body, w.Header().Get("Content-Type"), tc.body)
				}
				if reached {
					t.Error("a refused request reached the integration")
				}
			} else if !reached {
				t.Error("the integration was not called")
			}
			if called := len(f.authz.all()) == 1; called != tc.authorizerCalled {
				t.Errorf("authorizer called %v, want %v", called, tc.authorizerCalled)
			}
		})
	}
}

// A cached REQUEST authorizer's identity sources, and a TOKEN authorizer's
// token, must be there and match: else 401 without calling the authorizer.
func TestRestIdentitySourcesCheckedBeforeTheAuthorizer(t *testing.T) {
	t.Parallel()
	cached := func(c *localapi.RestConfig) {
		c.API.Authorizers["Keymint"].ReauthorizeEvery = 300
		c.API.Authorizers["Keymint"].IdentityQueryStrings = []string{"tenant"}
	}
	token := func(c *localapi.RestConfig) {
		az := c.API.Authorizers["Keymint"]
		az.PayloadType, az.IdentityHeaders, az.ValidationExpression = "TOKEN", []string{"X-Token"}, "Bearer [a-z-]+"
		c.Functions["Validate"] = localrt.Target{ID: "Validate", Handler: lambda.NewHandler(func(ev events.APIGatewayCustomAuthorizerRequest) (any, error) {
			if ev.Type != "TOKEN" || ev.MethodArn != shopArn+"GET/keyless" {
				return nil, errors.New("bad TOKEN event")
			}
			return validateREST(strings.TrimPrefix(ev.AuthorizationToken, "Bearer "), ev.MethodArn)
		})}
	}
	tests := []struct {
		name   string
		opt    func(*localapi.RestConfig)
		target string
		header map[string]string
		status int
	}{
		{"cached, all there", cached, "/v1/keyless?tenant=a", map[string]string{"Authorization": "Bearer allow"}, 200},
		{"cached, no header", cached, "/v1/keyless?tenant=a", nil, 401},
		{"cached, empty query string", cached, "/v1/keyless?tenant=", map[string]string{"Authorization": "Bearer allow"}, 401},
		{"token", token, "/v1/keyless", map[string]string{"X-Token": "Bearer allow"}, 200},
		{"token missing", token, "/v1/keyless", map[string]string{"Authorization": "Bearer allow"}, 401},
		{"token not matching its expression", token, "/v1/keyless", map[string]string{"X-Token": "Bearer ALLOW"}, 401},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newRestFixture(t, tc.opt)
			w := f.do("GET", tc.target, "", func(r *http.Request) {
				for k, v := range tc.header {
					r.Header.Set(k, v)
				}
			})
			if w.Code != tc.status {
				t.Fatalf("%d %s, want %d", w.Code, w.Body, tc.status)
			}
			if tc.status == 401 && (w.Body.String() != `{"message":"Unauthorized"}` || len(f.authz.all()) != 0) {
				t.Errorf("body %s, authorizer calls %d; want Unauthorized without calling it", w.Body, len(f.authz.all()))
			}
		})
	}
}

// With the key source HEADER, the API key is the X-API-Key header, also in
// the authorizer's event.
func TestRestKeyFromHeader(t *testing.T) {
	t.Parallel()
	f := newRestFixture(t, func(c *localapi.RestConfig) { c.API.APIKeySource = "HEADER" })
	key := func(v string) func(*http.Request) { return func(r *http.Request) { r.Header.Set("X-API-Key", v) } }
	if w := f.do("GET", "/v1/orders", "allow-key-stranger", key("key-carol")); w.Code != 200 {
		t.Fatalf("%d %s, want 200 with the header's key", w.Code, w.Body)
	}
	if got := f.authz.all()[0].RequestContext.Identity.APIKey; got != "key-carol" {
		t.Errorf("authorizer's identity.apiKey %q", got)
	}
	if got := f.calls.all()[0].RequestContext.Identity.APIKey; got != "key-carol" {
		t.Errorf("integration's identity.apiKey %q", got)
	}
	if w := f.do("GET", "/v1/orders", "allow-key-carol"); w.Code != 403 {
		t.Errorf("no header: %d, want 403 (the authorizer's key does not count)", w.Code)
	}
}

// A function that fails or answers out of format is a 502; the REST API's
// own integration timeout a 504.
func TestRestIntegrationFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		response func(events.APIGatewayProxyRequest) ([]byte, error)
		status   int
		body     string
	}{
		{"function error", func(events.APIGatewayProxyRequest) ([]byte, error) { return nil, errors.New("boom") }, 502, `{"message": "Internal server error"}`},
		{"no statusCode", func(events.APIGatewayProxyRequest) ([]byte, error) { return []byte(`{"body":"x"}`), nil }, 502, `{"message": "Internal server error"}`},
		{"not JSON", func(events.APIGatewayProxyRequest) ([]byte, error) { return []byte(`"ok"`), nil }, 502, `{"message": "Internal server error"}`},
		{"body not a string", func(events.APIGatewayProxyRequest) ([]byte, error) {
			return []byte(`{"statusCode":200,"body":{}}`), nil
		}, 502, `{"message": "Internal server error"}`},
		{"function timeout", func(events.APIGatewayProxyRequest) ([]byte, error) { time.Sleep(time.Second); return nil, nil }, 502, `{"message": "Internal server error"}`},
		{"base64 body", func(events.APIGatewayProxyRequest) ([]byte, error) {
			return []byte(`{"statusCode":200,"body":"aGk=","isBase64Encoded":true}`), nil
		}, 200, "hi"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newRestFixture(t)
			f.response = tc.response
			w := f.do("GET", "/v1/orders", "allow-key-alice")
			if w.Code != tc.status || w.Body.String() != tc.body {
				t.Errorf("%d %q, want %d %q", w.Code, w.Body, tc.status, tc.body)
			}
		})
	}
	f := newRestFixture(t, func(c *localapi.RestConfig) {
		c.IntegrationTimeout = 50 * time.Millisecond
		c.Functions["Example"] = localrt.Target{ID: "Example", Timeout: 5 * time.Second, Handler: rawHandler(func(ctx context.Context, _ []byte) ([]byte, error) {
			<-ctx.Done()
			return nil, ctx.Err()
		})}
	})
	if w := f.do("GET", "/v1/orders", "allow-key-alice"); w.Code != 504 || w.Body.String() != `{"message": "Endpoint request timed out"}` {
		t.Errorf("integration timeout: %d %q", w.Code, w.Body)
	}
}

// What NewRest refuses.
func TestNewRestRefuses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opt  func(*localapi.RestConfig)
	}{
		{"no API", func(c *localapi.RestConfig) { c.API = nil }},
		{"keys required, no control plane", func(c *localapi.RestConfig) { c.UsagePlans = nil }},
		{"no integration function", func(c *localapi.RestConfig) { delete(c.Functions, "Example") }},
		{"no authorizer function", func(c *localapi.RestConfig) { delete(c.Functions, "Validate") }},
		{"bad validation expression", func(c *localapi.RestConfig) { c.API.Authorizers["Keymint"].ValidationExpression = "(" }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg := localapi.RestConfig{}
			newRestFixture(t, func(c *localapi.RestConfig) { cfg = *c })
			tc.opt(&cfg)
			if _, err := localapi.NewRest(cfg); !errors.Is(err, localapi.ErrConfig) {
				t.Errorf("err = %v, want ErrConfig", err)
			}
		})
	}
}
