package localapi_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/keymint/keymint/internal/localapi"
	"github.com/keymint/keymint/internal/localrt"
	"github.com/keymint/keymint/internal/stack"
)

// templateFakes stands a recording fake in for every function of the
// stack: the authorizer's answer is allow (simple) or an IAM policy
// allowing only iamAllows; every other function answers 200 naming itself.
type templateFakes struct {
	mu        sync.Mutex
	authz     [][]byte // raw authorizer events
	calls     map[string][][]byte
	iamAllows string
}

func (f *templateFakes) targets(st *stack.Stack) map[string]localrt.Target {
	out := map[string]localrt.Target{}
	for id := range st.Functions {
		out[id] = localrt.Target{ID: id, Handler: rawHandler(func(_ context.Context, p []byte) ([]byte, error) {
			f.mu.Lock()
			defer f.mu.Unlock()
			if id == "ValidateFunction" {
				f.authz = append(f.authz, p)
				if f.iamAllows != "" {
					return json.Marshal(map[string]any{"principalId": "alice", "policyDocument": map[string]any{
						"Version": "2012-10-17", "Statement": []any{map[string]any{"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": f.iamAllows}}}})
				}
				return []byte(`{"isAuthorized":true,"context":{"owner":"alice"}}`), nil
			}
			f.calls[id] = append(f.calls[id], p)
			return json.Marshal(events.APIGatewayV2HTTPResponse{StatusCode: 200, Body: id})
		})}
	}
	return out
}

func (f *templateFakes) reset() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.authz, f.calls = nil, map[string][][]byte{}
}

// concrete fills a route's path parameters.
func concrete(path string) string {
	return strings.NewReplacer("{id}", "42", "{proxy+}", "sales/2026", "{owner}", "bob", "{ip}", "192.0.2.1", "{file}", "app.js").Replace(path)
}

// The local stack serves both HttpApis of template.yaml, each on its own
// server as API Gateway gives each its own hostname: every route reaches
// its own function on its own API and is 404 on the other; events carry
// the API's own id, and only keymint's management API its stage variable.
func TestTemplateAPIsEachServeTheirOwn(t *testing.T) {
	t.Parallel()
	st, err := localrt.LoadStack("../../template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if got := slices.Sorted(maps.Keys(st.APIs)); !slices.Equal(got, []string{"ExampleApi", "KeymintApi"}) {
		t.Fatalf("the local stack has APIs %v, want ExampleApi and KeymintApi", got)
	}
	fakes := &templateFakes{}
	servers := map[string]*httptest.Server{}
	for id, api := range st.APIs {
		srv, err := localapi.New(localapi.Config{API: api, Functions: fakes.targets(st), Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if err != nil {
			t.Fatal(err)
		}
		servers[id] = httptest.NewServer(srv)
		t.Cleanup(servers[id].Close)
	}
	wantStage := map[string]map[string]string{"KeymintApi": {"keymint": "management"}, "ExampleApi": nil}
	for apiID, api := range st.APIs {
		other := "ExampleApi"
		if apiID == other {
			other = "KeymintApi"
		}
		for _, rt := range api.Routes {
			t.Run(apiID+"/"+rt.Key(), func(t *testing.T) {
				fakes.reset()
				path := concrete(rt.Path)
				if code, body := send(t, servers[apiID].URL, rt.Method, path); code != 200 || body != rt.Function {
					t.Fatalf("%s %s on %s: %d %q, want 200 from %s", rt.Method, path, apiID, code, body, rt.Function)
				}
				if rt.Authorizer != "" {
					if len(fakes.authz) != 1 {
						t.Fatalf("%d authorizer calls", len(fakes.authz))
					}
					checkEvent(t, "authorizer", fakes.authz[0], apiID, wantStage[apiID])
					var ev events.APIGatewayV2CustomAuthorizerV2Request
					_ = json.Unmarshal(fakes.authz[0], &ev)
					if want := localapi.RouteArn(localapi.APIID(apiID), rt.Method, path); ev.RouteArn != want || !strings.Contains(want, ":"+strings.ToLower(apiID)+"/") {
						t.Errorf("routeArn %s, want %s", ev.RouteArn, want)
					}
				}
				checkEvent(t, "integration", fakes.calls[rt.Function][0], apiID, wantStage[apiID])
				// The other API has no such route.
				fakes.reset()
				code, _ := send(t, servers[other].URL, rt.Method, path)
				if code != http.StatusNotFound {
					t.Errorf("%s %s on %s: %d, want 404", rt.Method, path, other, code)
				}
				if n := len(fakes.calls[rt.Function]); n != 0 {
					t.Errorf("%s reached %s through %s", path, rt.Function, other)
				}
			})
		}
	}
}

// An IAM-mode authorizer's policy is matched against the route ARN of the
// API called: a policy for the other API's id opens nothing.
func TestTemplateAPIsRouteArnCarriesTheirID(t *testing.T) {
	t.Parallel()
	st, err := localrt.LoadStack("../../template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	api := *st.APIs["ExampleApi"]
	az := *api.Authorizers[api.DefaultAuthorizer]
	az.SimpleResponses = false
	api.Authorizers = map[string]*stack.Authorizer{az.Name: &az}
	for _, tc := range []struct {
		allows string
		want   int
	}{
		{localapi.RouteArn(localapi.APIID("ExampleApi"), "GET", "/orders"), 200},
		{localapi.RouteArn(localapi.APIID("KeymintApi"), "GET", "/orders"), 403},
	} {
		fakes := &templateFakes{iamAllows: tc.allows}
		srv, err := localapi.New(localapi.Config{API: &api, Functions: fakes.targets(st), Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if err != nil {
			t.Fatal(err)
		}
		fakes.reset()
		hs := httptest.NewServer(srv)
		code, _ := send(t, hs.URL, "GET", "/orders")
		hs.Close()
		if code != tc.want {
			t.Errorf("policy allowing %s: %d, want %d", tc.allows, code, tc.want)
		}
	}
}

func send(t *testing.T, base, method, path string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer x")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// checkEvent holds an event's apiId and stage variables; an API without
// any sends no stageVariables member at all.
func checkEvent(t *testing.T, kind string, raw []byte, apiID string, stage map[string]string) {
	t.Helper()
	var ev struct {
		StageVariables *map[string]string `json:"stageVariables"`
		RequestContext struct {
			APIID string `json:"apiId"`
		} `json:"requestContext"`
	}
	if err := json.Unmarshal(raw, &ev); err != nil {
		t.Fatal(err)
	}
	if ev.RequestContext.APIID != localapi.APIID(apiID) {
		t.Errorf("%s event apiId %q, want %q", kind, ev.RequestContext.APIID, localapi.APIID(apiID))
	}
	switch {
	case stage == nil && ev.StageVariables != nil:
		t.Errorf("%s event of %s carries stageVariables %v; the API has none", kind, apiID, *ev.StageVariables)
	case stage != nil && (ev.StageVariables == nil || !maps.Equal(*ev.StageVariables, stage)):
		t.Errorf("%s event of %s: stageVariables %v, want %v", kind, apiID, ev.StageVariables, stage)
	}
}
