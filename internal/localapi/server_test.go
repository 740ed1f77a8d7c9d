package localapi_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
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

// recorder is a fake function that keeps the events it receives.
type recorder[E any] struct {
	mu     sync.Mutex
	events []E
}

func (r *recorder[E]) add(e E) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
}

func (r *recorder[E]) all() []E {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.events)
}

type fixture struct {
	srv      *localapi.Server
	authz    *recorder[events.APIGatewayV2CustomAuthorizerV2Request]
	calls    *recorder[events.APIGatewayV2HTTPRequest]
	log      *bytes.Buffer
	now      time.Time
	response func(events.APIGatewayV2HTTPRequest) ([]byte, error)
}

var authContext = map[string]any{"tokenId": "t1", "owner": "alice", "scopes": "tokens:read tokens:write", "expiresAt": "2030-01-01T00:00:00Z"}

// rawHandler answers with bytes as given, like a Lambda returning any JSON.
type rawHandler func(ctx context.Context, payload []byte) ([]byte, error)

func (h rawHandler) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	return h(ctx, payload)
}

// newFixture builds a server on fake functions; opts may adjust its Config.
func newFixture(t *testing.T, simple bool, opts ...func(*localapi.Config)) *fixture {
	t.Helper()
	f := &fixture{
		authz: &recorder[events.APIGatewayV2CustomAuthorizerV2Request]{},
		calls: &recorder[events.APIGatewayV2HTTPRequest]{},
		log:   &bytes.Buffer{},
		now:   time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC),
	}
	routes := []stack.Route{
		{Method: "GET", Path: "/tokens", Function: "Describe"},
		{Method: "GET", Path: "/tokens/{id}", Function: "Describe"},
		{Method: "GET", Path: "/tokens/mine", Function: "Describe"},
		{Method: "POST", Path: "/tokens/revoke", Function: "Revoke"},
		{Method: "POST", Path: "/tokens/{id}/deactivate", Function: "Revoke"},
		{Method: "DELETE", Path: "/tokens/{id}/blocked-ips/{ip}", Function: "Revoke"},
		{Method: "ANY", Path: "/files/{path+}", Function: "Describe"},
		{Method: "GET", Path: "/public", Function: "Describe", Authorizer: "-"},
	}
	for i := range routes {
		routes[i].API = "Api"
		switch routes[i].Authorizer {
		case "-":
			routes[i].Authorizer = ""
		default:
			routes[i].Authorizer = "Auth"
		}
	}
	api := &stack.HTTPAPI{
		LogicalID: "Api",
		Authorizers: map[string]*stack.Authorizer{"Auth": {
			Name: "Auth", Function: "Validate", PayloadFormatVersion: "2.0", SimpleResponses: simple,
			IdentityHeaders: []string{"Authorization"}, IdentityContext: []string{"routeKey"},
		}},
		Routes: routes,
	}
	validate := func(ctx context.Context, ev events.APIGatewayV2CustomAuthorizerV2Request) (any, error) {
		f.authz.add(ev)
		tok := strings.TrimPrefix(ev.Headers["authorization"], "Bearer ")
		if !simple {
			return iamAnswer(tok, ev.RouteArn)
		}
		switch tok {
		case "allow":
			return events.APIGatewayV2CustomAuthorizerSimpleResponse{IsAuthorized: true, Context: authContext}, nil
		case "deny":
			return events.APIGatewayV2CustomAuthorizerSimpleResponse{IsAuthorized: false}, nil
		case "bad":
			return nil, errors.New("Unauthorized")
		case "panic":
			panic("authorizer bug")
		case "iam":
			return iamAnswer("allow-exact", ev.RouteArn)
		}
		return nil, errors.New("store unavailable")
	}
	fn := func(ctx context.Context, payload []byte) ([]byte, error) {
		var ev events.APIGatewayV2HTTPRequest
		if err := json.Unmarshal(payload, &ev); err != nil {
			return nil, err
		}
		f.calls.add(ev)
		if f.response != nil {
			return f.response(ev)
		}
		return json.Marshal(events.APIGatewayV2HTTPResponse{StatusCode: 200, Body: `{"ok":true}`,
			Headers: map[string]string{"Content-Type": "application/json"}})
	}
	cfg := localapi.Config{
		API: api,
		Functions: map[string]localrt.Target{
			"Validate": {ID: "Validate", Handler: lambda.NewHandler(validate)},
			"Describe": {ID: "Describe", Handler: rawHandler(fn), Timeout: 200 * time.Millisecond},
			"Revoke":   {ID: "Revoke", Handler: rawHandler(fn)},
		},
		Log: slog.New(slog.NewTextHandler(f.log, nil)),
		Now: func() time.Time { return f.now },
	}
	for _, o := range opts {
		o(&cfg)
	}
	srv, err := localapi.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	f.srv = srv
	return f
}

func iamAnswer(tok, routeArn string) (any, error) {
	stmt := func(effect string, resource any) map[string]any {
		return map[string]any{"Effect": effect, "Action": "execute-api:Invoke", "Resource": resource}
	}
	var sts []map[string]any
	switch tok {
	case "allow-exact":
		sts = []map[string]any{stmt("Allow", []string{routeArn})}
	case "allow-wildcard":
		sts = []map[string]any{stmt("Allow", "arn:aws:execute-api:us-east-1:123456789012:api/$default/GET/tokens/*")}
	case "allow-other":
		sts = []map[string]any{stmt("Allow", "arn:aws:execute-api:us-east-1:123456789012:api/$default/POST/tokens/revoke")}
	case "allow-but-deny":
		sts = []map[string]any{stmt("Allow", "*"), stmt("Deny", routeArn)}
	case "bad":
		return nil, errors.New("Unauthorized")
	}
	return map[string]any{
		"principalId":    "alice",
		"policyDocument": map[string]any{"Version": "2012-10-17", "Statement": sts},
		"context":        authContext,
	}, nil
}

func (f *fixture) do(method, target, auth string, body io.Reader, mutate ...func(*http.Request)) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, target, body)
	if auth != "" {
		r.Header.Set("Authorization", auth)
	}
	for _, m := range mutate {
		m(r)
	}
	w := httptest.NewRecorder()
	f.srv.ServeHTTP(w, r)
	return w
}

func TestRouting(t *testing.T) {
	t.Parallel()
	tests := []struct {
		method, path string
		wantStatus   int
		wantRoute    string
		wantParams   map[string]string
	}{
		{"GET", "/tokens", 200, "GET /tokens", nil},
		{"GET", "/tokens/abc", 200, "GET /tokens/{id}", map[string]string{"id": "abc"}},
		{"GET", "/tokens/mine", 200, "GET /tokens/mine", nil}, // literal beats {id}
		{"POST", "/tokens/revoke", 200, "POST /tokens/revoke", nil},
		{"POST", "/tokens/abc/deactivate", 200, "POST /tokens/{id}/deactivate", map[string]string{"id": "abc"}},
		{"DELETE", "/tokens/abc/blocked-ips/10.0.0.1", 200, "DELETE /tokens/{id}/blocked-ips/{ip}", map[string]string{"id": "abc", "ip": "10.0.0.1"}},
		{"DELETE", "/tokens/abc/blocked-ips/2001%3Adb8%3A%3A1", 200, "DELETE /tokens/{id}/blocked-ips/{ip}", map[string]string{"id": "abc", "ip": "2001:db8::1"}},
		{"PUT", "/files/a/b/c", 200, "ANY /files/{path+}", map[string]string{"path": "a/b/c"}},
		{"GET", "/nope", 404, "", nil},
		{"PUT", "/tokens/abc", 404, "", nil},
		{"GET", "/tokens/", 404, "", nil},
		{"GET", "/tokens/abc/extra", 404, "", nil},
		{"GET", "/files", 404, "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			f := newFixture(t, true)
			w := f.do(tc.method, tc.path, "Bearer allow", nil)
			if w.Code != tc.wantStatus {
				t.Fatalf("status %d, want %d (%s)", w.Code, tc.wantStatus, w.Body)
			}
			calls := f.calls.all()
			if tc.wantStatus == 404 {
				if got := strings.TrimSpace(w.Body.String()); got != `{"message":"Not Found"}` {
					t.Errorf("body %s", got)
				}
				if len(calls) != 0 || len(f.authz.all()) != 0 {
					t.Error("an unknown route reached a function")
				}
				return
			}
			if len(calls) != 1 {
				t.Fatalf("%d calls, want 1", len(calls))
			}
			ev := calls[0]
			if ev.RouteKey != tc.wantRoute || ev.RequestContext.RouteKey != tc.wantRoute {
				t.Errorf("routeKey %q / %q, want %q", ev.RouteKey, ev.RequestContext.RouteKey, tc.wantRoute)
			}
			if len(ev.PathParameters) != len(tc.wantParams) {
				t.Errorf("pathParameters %v, want %v", ev.PathParameters, tc.wantParams)
			}
			for k, v := range tc.wantParams {
				if ev.PathParameters[k] != v {
					t.Errorf("pathParameters[%s] = %q, want %q", k, ev.PathParameters[k], v)
				}
			}
		})
	}
}

func TestAuthorizerSimpleResponses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		auth       string
		path       string
		wantStatus int
		wantBody   string
		wantAuthz  int // authorizer invocations
		wantCalls  int // function invocations
	}{
		{"no header", "", "/tokens/abc", 401, `{"message":"Unauthorized"}`, 0, 0},
		// HTTP APIs have no "Unauthorized" error rule: every authorizer error is 500.
		{"an Unauthorized error", "Bearer bad", "/tokens/abc", 500, `{"message":"Internal Server Error"}`, 1, 0},
		{"denied", "Bearer deny", "/tokens/abc", 403, `{"message":"Forbidden"}`, 1, 0},
		{"authorizer error", "Bearer other", "/tokens/abc", 500, `{"message":"Internal Server Error"}`, 1, 0},
		{"authorizer panic", "Bearer panic", "/tokens/abc", 500, `{"message":"Internal Server Error"}`, 1, 0},
		{"wrong response shape", "Bearer iam", "/tokens/abc", 500, `{"message":"Internal Server Error"}`, 1, 0},
		{"allowed", "Bearer allow", "/tokens/abc", 200, `{"ok":true}`, 1, 1},
		{"route without authorizer", "", "/public", 200, `{"ok":true}`, 0, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, true)
			w := f.do("GET", tc.path, tc.auth, nil)
			if w.Code != tc.wantStatus || strings.TrimSpace(w.Body.String()) != tc.wantBody {
				t.Fatalf("got %d %s, want %d %s", w.Code, w.Body, tc.wantStatus, tc.wantBody)
			}
			if n := len(f.authz.all()); n != tc.wantAuthz {
				t.Errorf("authorizer called %d times, want %d", n, tc.wantAuthz)
			}
			if n := len(f.calls.all()); n != tc.wantCalls {
				t.Errorf("function called %d times, want %d", n, tc.wantCalls)
			}
		})
	}
}

func TestAuthorizerIAMResponses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		tok        string
		wantStatus int
	}{
		{"allow-exact", 200},
		{"allow-wildcard", 200},
		{"allow-other", 403},
		{"allow-but-deny", 403},
		{"bad", 500},
	}
	for _, tc := range tests {
		t.Run(tc.tok, func(t *testing.T) {
			f := newFixture(t, false)
			w := f.do("GET", "/tokens/abc", "Bearer "+tc.tok, nil)
			if w.Code != tc.wantStatus {
				t.Fatalf("status %d, want %d (%s)", w.Code, tc.wantStatus, w.Body)
			}
			if tc.wantStatus == 200 {
				got := f.calls.all()[0].RequestContext.Authorizer
				if got == nil || got.Lambda["owner"] != "alice" {
					t.Errorf("authorizer context %+v, want the policy's context", got)
				}
			}
		})
	}
}

func TestAuthorizerEvent(t *testing.T) {
	t.Parallel()
	f := newFixture(t, true)
	w := f.do("GET", "/tokens/abc?x=1", "Bearer allow", nil, func(r *http.Request) {
		r.RemoteAddr = "192.0.2.10:4444"
	})
	if w.Code != 200 {
		t.Fatalf("status %d", w.Code)
	}
	ev := f.authz.all()[0]
	checks := []struct {
		name, got, want string
	}{
		{"version", ev.Version, "2.0"},
		{"type", ev.Type, "REQUEST"},
		{"routeArn", ev.RouteArn, "arn:aws:execute-api:us-east-1:123456789012:api/$default/GET/tokens/abc"},
		{"routeKey", ev.RouteKey, "GET /tokens/{id}"},
		{"rawPath", ev.RawPath, "/tokens/abc"},
		{"rawQueryString", ev.RawQueryString, "x=1"},
		{"authorization header", ev.Headers["authorization"], "Bearer allow"},
		{"path parameter", ev.PathParameters["id"], "abc"},
		{"sourceIp", ev.RequestContext.HTTP.SourceIP, "192.0.2.10"},
		{"identitySource", strings.Join(ev.IdentitySource, "|"), "Bearer allow|GET /tokens/{id}"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
	if ev.RequestContext.Authorizer != nil {
		t.Error("authorizer event carries an authorizer context")
	}
}

func TestFunctionEvent(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		body   []byte
		mutate func(*http.Request)
		check  func(t *testing.T, ev events.APIGatewayV2HTTPRequest)
	}{
		{
			name: "authorizer context and request context",
			check: func(t *testing.T, ev events.APIGatewayV2HTTPRequest) {
				rc := ev.RequestContext
				if rc.Authorizer == nil || rc.Authorizer.Lambda["tokenId"] != "t1" || rc.Authorizer.Lambda["scopes"] != "tokens:read tokens:write" {
					t.Errorf("authorizer = %+v", rc.Authorizer)
				}
				if ev.Version != "2.0" || rc.Stage != "$default" || rc.APIID != "api" || rc.AccountID != "123456789012" {
					t.Errorf("version/stage/apiId/accountId = %s/%s/%s/%s", ev.Version, rc.Stage, rc.APIID, rc.AccountID)
				}
				if rc.HTTP.Method != "GET" || rc.HTTP.Path != "/tokens/abc" || rc.HTTP.Protocol != "HTTP/1.1" || rc.HTTP.UserAgent != "test-agent" {
					t.Errorf("http = %+v", rc.HTTP)
				}
				if rc.RequestID == "" || rc.TimeEpoch != time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC).UnixMilli() || rc.Time != "04/Mar/2026:05:06:07 +0000" {
					t.Errorf("requestId/time = %q %d %q", rc.RequestID, rc.TimeEpoch, rc.Time)
				}
			},
		},
		{
			name: "headers lower-cased and joined, cookies split out",
			mutate: func(r *http.Request) {
				r.Header.Add("X-Multi", "a")
				r.Header.Add("X-Multi", "b")
				r.Header.Add("Cookie", "c1=v1; c2=v2")
			},
			check: func(t *testing.T, ev events.APIGatewayV2HTTPRequest) {
				if ev.Headers["x-multi"] != "a,b" {
					t.Errorf("x-multi = %q", ev.Headers["x-multi"])
				}
				if _, ok := ev.Headers["cookie"]; ok {
					t.Error("cookie header kept in headers")
				}
				if !slices.Equal(ev.Cookies, []string{"c1=v1", "c2=v2"}) {
					t.Errorf("cookies = %v", ev.Cookies)
				}
				if ev.Headers["user-agent"] != "test-agent" || ev.Headers["host"] == "" {
					t.Errorf("headers = %v", ev.Headers)
				}
			},
		},
		{
			name: "query parameters",
			mutate: func(r *http.Request) {
				r.URL.RawQuery = "status=active&limit=5&owner=a&owner=b"
			},
			check: func(t *testing.T, ev events.APIGatewayV2HTTPRequest) {
				if ev.RawQueryString != "status=active&limit=5&owner=a&owner=b" {
					t.Errorf("rawQueryString = %q", ev.RawQueryString)
				}
				q := ev.QueryStringParameters
				if q["status"] != "active" || q["limit"] != "5" || q["owner"] != "a,b" {
					t.Errorf("queryStringParameters = %v", q)
				}
			},
		},
		{
			name: "peer address is the source IP",
			mutate: func(r *http.Request) {
				r.RemoteAddr = "198.51.100.7:1234"
				r.Header.Set("X-Forwarded-For", "203.0.113.9")
			},
			check: func(t *testing.T, ev events.APIGatewayV2HTTPRequest) {
				if ev.RequestContext.HTTP.SourceIP != "198.51.100.7" {
					t.Errorf("sourceIp = %q; a remote peer must not choose it with X-Forwarded-For", ev.RequestContext.HTTP.SourceIP)
				}
			},
		},
		{
			name: "a loopback peer is not trusted by default",
			mutate: func(r *http.Request) {
				r.RemoteAddr = "127.0.0.1:1234"
				r.Header.Set("X-Forwarded-For", "203.0.113.9, 10.0.0.1")
			},
			check: func(t *testing.T, ev events.APIGatewayV2HTTPRequest) {
				if ev.RequestContext.HTTP.SourceIP != "127.0.0.1" {
					t.Errorf("sourceIp = %q; without TrustedProxies X-Forwarded-For must be ignored", ev.RequestContext.HTTP.SourceIP)
				}
				if ev.Headers["x-forwarded-for"] != "127.0.0.1" {
					t.Errorf("x-forwarded-for = %q", ev.Headers["x-forwarded-for"])
				}
			},
		},
		{
			name: "text body",
			body: []byte(`{"name":"ci"}`),
			check: func(t *testing.T, ev events.APIGatewayV2HTTPRequest) {
				if ev.Body != `{"name":"ci"}` || ev.IsBase64Encoded {
					t.Errorf("body = %q base64=%v", ev.Body, ev.IsBase64Encoded)
				}
			},
		},
		{
			name: "binary body",
			body: []byte{0xff, 0xfe, 0x00, 0x01},
			check: func(t *testing.T, ev events.APIGatewayV2HTTPRequest) {
				if ev.Body != base64.StdEncoding.EncodeToString([]byte{0xff, 0xfe, 0x00, 0x01}) || !ev.IsBase64Encoded {
					t.Errorf("body = %q base64=%v", ev.Body, ev.IsBase64Encoded)
				}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, true)
			w := f.do("GET", "/tokens/abc", "Bearer allow", bytes.NewReader(tc.body), func(r *http.Request) {
				r.Header.Set("User-Agent", "test-agent")
				if tc.mutate != nil {
					tc.mutate(r)
				}
			})
			if w.Code != 200 {
				t.Fatalf("status %d %s", w.Code, w.Body)
			}
			tc.check(t, f.calls.all()[0])
		})
	}
}

func TestFunctionResponse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		answer     func() ([]byte, error)
		wantStatus int
		wantBody   string
		wantHeader map[string][]string
	}{
		{
			name: "structured",
			answer: func() ([]byte, error) {
				return json.Marshal(events.APIGatewayV2HTTPResponse{
					StatusCode:        201,
					Headers:           map[string]string{"Content-Type": "application/problem+json", "X-One": "1"},
					MultiValueHeaders: map[string][]string{"X-Many": {"a", "b"}},
					Cookies:           []string{"s=1; HttpOnly"},
					Body:              `{"id":"x"}`,
				})
			},
			wantStatus: 201,
			wantBody:   `{"id":"x"}`,
			wantHeader: map[string][]string{
				"Content-Type": {"application/problem+json"}, "X-One": {"1"}, "X-Many": {"a", "b"}, "Set-Cookie": {"s=1; HttpOnly"},
			},
		},
		{
			name: "base64 body",
			answer: func() ([]byte, error) {
				return json.Marshal(events.APIGatewayV2HTTPResponse{StatusCode: 200, IsBase64Encoded: true,
					Body: base64.StdEncoding.EncodeToString([]byte("raw\x00bytes"))})
			},
			wantStatus: 200,
			wantBody:   "raw\x00bytes",
			wantHeader: map[string][]string{"Content-Type": nil},
		},
		{
			name:       "no statusCode: JSON body with 200",
			answer:     func() ([]byte, error) { return []byte(`{"hello":"world"}`), nil },
			wantStatus: 200,
			wantBody:   `{"hello":"world"}`,
			wantHeader: map[string][]string{"Content-Type": {"application/json"}},
		},
		{
			name:       "invalid statusCode",
			answer:     func() ([]byte, error) { return []byte(`{"statusCode":0}`), nil },
			wantStatus: 500,
			wantBody:   `{"message":"Internal Server Error"}`,
		},
		{
			name:       "function error",
			answer:     func() ([]byte, error) { return nil, errors.New("boom") },
			wantStatus: 500,
			wantBody:   `{"message":"Internal Server Error"}`,
		},
		{
			name: "function timeout",
			answer: func() ([]byte, error) {
				time.Sleep(400 * time.Millisecond) // the fake's timeout is 200ms
				return []byte(`{}`), nil
			},
			// A function that times out failed: 500, as on AWS.
			wantStatus: 500,
			wantBody:   `{"message":"Internal Server Error"}`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, true)
			f.response = func(events.APIGatewayV2HTTPRequest) ([]byte, error) { return tc.answer() }
			w := f.do("GET", "/tokens/abc", "Bearer allow", nil)
			if w.Code != tc.wantStatus || strings.TrimSpace(w.Body.String()) != tc.wantBody {
				t.Fatalf("got %d %q, want %d %q", w.Code, w.Body, tc.wantStatus, tc.wantBody)
			}
			for k, want := range tc.wantHeader {
				if got := w.Result().Header.Values(k); !slices.Equal(got, want) {
					t.Errorf("header %s = %q, want %q", k, got, want)
				}
			}
			if w.Header().Get("Apigw-Requestid") == "" {
				t.Error("no Apigw-Requestid header")
			}
		})
	}
}

func TestBodyLimit(t *testing.T) {
	t.Parallel()
	tests := []struct {
		size       int
		wantStatus int
		wantCalls  int
	}{
		{localapi.MaxBodyBytes, 200, 1},
		{localapi.MaxBodyBytes + 1, 413, 0},
	}
	for _, tc := range tests {
		f := newFixture(t, true)
		w := f.do("POST", "/tokens/revoke", "Bearer allow", bytes.NewReader(bytes.Repeat([]byte("a"), tc.size)))
		if w.Code != tc.wantStatus || len(f.calls.all()) != tc.wantCalls {
			t.Errorf("%d bytes: status %d, %d calls; want %d, %d", tc.size, w.Code, len(f.calls.all()), tc.wantStatus, tc.wantCalls)
		}
	}
}

func TestLogNeverHoldsToken(t *testing.T) {
	t.Parallel()
	f := newFixture(t, true)
	const secret = "allow"
	f.do("GET", "/tokens/abc?cursor=opaque", "Bearer "+secret, nil)
	line := f.log.String()
	for _, want := range []string{"method=GET", "path=/tokens/abc", "status=200", "ms="} {
		if !strings.Contains(line, want) {
			t.Errorf("log %q lacks %q", line, want)
		}
	}
	if strings.Contains(line, "Bearer") || strings.Contains(line, "cursor=opaque") {
		t.Errorf("log leaks the Authorization header or query: %q", line)
	}
}

func TestOverRealTCP(t *testing.T) {
	t.Parallel()
	f := newFixture(t, true)
	ts := httptest.NewServer(f.srv)
	defer ts.Close()
	req, _ := http.NewRequest("GET", ts.URL+"/tokens/abc", nil)
	req.Header.Set("Authorization", "Bearer allow")
	resp, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if ip := f.calls.all()[0].RequestContext.HTTP.SourceIP; ip != "127.0.0.1" {
		t.Errorf("sourceIp = %q, want 127.0.0.1", ip)
	}
}

func TestNewRejectsIncompleteConfig(t *testing.T) {
	t.Parallel()
	h := lambda.NewHandler(func() error { return nil })
	route := stack.Route{Method: "GET", Path: "/x", Function: "F", Authorizer: "A"}
	az := func(version string) map[string]*stack.Authorizer {
		return map[string]*stack.Authorizer{"A": {Name: "A", Function: "V", PayloadFormatVersion: version}}
	}
	tests := []struct {
		name string
		cfg  localapi.Config
	}{
		{"no API", localapi.Config{}},
		{"missing function", localapi.Config{
			API:       &stack.HTTPAPI{Routes: []stack.Route{route}, Authorizers: az("2.0")},
			Functions: map[string]localrt.Target{"V": {Handler: h}},
		}},
		{"missing authorizer function", localapi.Config{
			API:       &stack.HTTPAPI{Routes: []stack.Route{route}, Authorizers: az("2.0")},
			Functions: map[string]localrt.Target{"F": {Handler: h}},
		}},
		{"payload format 1.0", localapi.Config{
			API:       &stack.HTTPAPI{Routes: []stack.Route{route}, Authorizers: az("1.0")},
			Functions: map[string]localrt.Target{"F": {Handler: h}, "V": {Handler: h}},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := localapi.New(tc.cfg); !errors.Is(err, localapi.ErrConfig) {
				t.Fatalf("err = %v, want ErrConfig", err)
			}
		})
	}
}

// The HTTP API's own integration timeout, not the function's, is 503.
func TestIntegrationTimeoutIs503(t *testing.T) {
	t.Parallel()
	f := newFixture(t, true, func(c *localapi.Config) { c.IntegrationTimeout = 50 * time.Millisecond })
	f.response = func(events.APIGatewayV2HTTPRequest) ([]byte, error) {
		time.Sleep(120 * time.Millisecond) // inside the function's 200ms, past the API's 50ms
		return []byte(`{}`), nil
	}
	w := f.do("GET", "/tokens/abc", "Bearer allow", nil)
	if w.Code != 503 || strings.TrimSpace(w.Body.String()) != `{"message":"Service Unavailable"}` {
		t.Fatalf("got %d %s, want 503 Service Unavailable", w.Code, w.Body)
	}
}

// API Gateway passes the stage's variables in the payload 2.0 authorizer
// event and in the integration event, as stageVariables
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-lambda-authorizer.html,
// https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html);
// keymint's management API is told apart from customers' APIs by one.
func TestStageVariables(t *testing.T) {
	t.Parallel()
	vars := map[string]string{"keymint": "management", "other": "x"}
	tests := []struct {
		name string
		vars map[string]string
		path string
		auth string
	}{
		{"authorized route", vars, "/tokens/abc", "Bearer allow"},
		{"route without authorizer", vars, "/public", ""},
		{"API without stage variables", nil, "/tokens/abc", "Bearer allow"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, true, func(c *localapi.Config) { c.API.StageVariables = tc.vars })
			if tc.vars != nil {
				// The server keeps its own copy: a later change to the
				// template's map is not seen.
				tc.vars["later"] = "change"
				defer delete(tc.vars, "later")
			}
			if w := f.do("GET", tc.path, tc.auth, nil); w.Code != 200 {
				t.Fatalf("status %d %s", w.Code, w.Body)
			}
			want := map[string]string(nil)
			if tc.vars != nil {
				want = map[string]string{"keymint": "management", "other": "x"}
			}
			if tc.auth != "" {
				if got := f.authz.all()[0].StageVariables; !maps.Equal(got, want) {
					t.Errorf("authorizer event stageVariables = %v, want %v", got, want)
				}
			}
			if got := f.calls.all()[0].StageVariables; !maps.Equal(got, want) {
				t.Errorf("integration event stageVariables = %v, want %v", got, want)
			}
		})
	}
}

// The events carry stageVariables under that JSON name, at the top level.
func TestStageVariablesOnTheWire(t *testing.T) {
	t.Parallel()
	var authRaw, fnRaw []byte
	api := &stack.HTTPAPI{
		LogicalID: "Api",
		Authorizers: map[string]*stack.Authorizer{"Auth": {
			Name: "Auth", Function: "V", PayloadFormatVersion: "2.0", SimpleResponses: true, IdentityHeaders: []string{"Authorization"},
		}},
		Routes:         []stack.Route{{Method: "GET", Path: "/x", Function: "F", API: "Api", Authorizer: "Auth"}},
		StageVariables: map[string]string{"keymint": "management"},
	}
	srv, err := localapi.New(localapi.Config{
		API: api,
		Functions: map[string]localrt.Target{
			"V": {ID: "V", Handler: rawHandler(func(_ context.Context, p []byte) ([]byte, error) {
				authRaw = p
				return []byte(`{"isAuthorized":true,"context":{"owner":"a"}}`), nil
			})},
			"F": {ID: "F", Handler: rawHandler(func(_ context.Context, p []byte) ([]byte, error) {
				fnRaw = p
				return []byte(`{"statusCode":204}`), nil
			})},
		},
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest("GET", "/x", nil)
	r.Header.Set("Authorization", "Bearer t")
	w := httptest.NewRecorder()
	srv.ServeHTTP(w, r)
	if w.Code != 204 {
		t.Fatalf("status %d %s", w.Code, w.Body)
	}
	for name, raw := range map[string][]byte{"authorizer": authRaw, "integration": fnRaw} {
		var ev struct {
			StageVariables map[string]string `json:"stageVariables"`
		}
		if err := json.Unmarshal(raw, &ev); err != nil {
			t.Fatal(err)
		}
		if ev.StageVariables["keymint"] != "management" || len(ev.StageVariables) != 1 {
			t.Errorf("%s event: stageVariables %v in %s", name, ev.StageVariables, raw)
		}
	}
}
