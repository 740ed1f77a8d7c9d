package localapi_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/keymint/keymint/internal/localapi"
	"github.com/keymint/keymint/internal/localrt"
)

// The REST API of template.yaml, served on fakes: every route answers under
// its stage, its authorizer is asked about the API's own methodArn, and a
// customer whose key is on the free usage plan gets that plan's burst, then
// 429.
func TestTemplateRestAPIMetersByItsUsagePlans(t *testing.T) {
	t.Parallel()
	st, err := localrt.LoadStack("../../template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	api := st.RestAPIs["ExampleRestApi"]
	if api == nil {
		t.Fatal("the local stack has no ExampleRestApi")
	}
	free := st.UsagePlans["ExampleFreeUsagePlan"]
	var (
		mu   sync.Mutex
		arns []string
	)
	targets := map[string]localrt.Target{}
	for id := range st.Functions {
		targets[id] = localrt.Target{ID: id, Handler: rawHandler(func(_ context.Context, p []byte) ([]byte, error) {
			if id != "ValidateFunction" {
				return json.Marshal(events.APIGatewayProxyResponse{StatusCode: 200, Body: id})
			}
			var ev events.APIGatewayCustomAuthorizerRequestTypeRequest
			if err := json.Unmarshal(p, &ev); err != nil {
				return nil, err
			}
			mu.Lock()
			arns = append(arns, ev.MethodArn)
			mu.Unlock()
			return json.Marshal(events.APIGatewayCustomAuthorizerResponse{PrincipalID: "alice", UsageIdentifierKey: "key-alice",
				PolicyDocument: events.APIGatewayCustomAuthorizerPolicy{Version: "2012-10-17", Statement: []events.IAMPolicyStatement{
					{Action: []string{"execute-api:Invoke"}, Effect: "Allow", Resource: []string{ev.MethodArn}}}}})
		})}
	}
	now := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	srv, err := localapi.NewRest(localapi.RestConfig{
		API: api, Functions: targets, Plans: st.UsagePlans,
		UsagePlans: &fakePlans{apiID: localapi.APIID("ExampleRestApi"), stage: api.StageName, keys: map[string]string{"key-alice": free.ID}},
		Log:        slog.New(slog.NewTextHandler(io.Discard, nil)),
		Now:        func() time.Time { return now },
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, rt := range api.Routes {
		now = now.Add(time.Hour) // a full bucket for each route
		path := concrete(rt.Path)
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, httptest.NewRequest(rt.Method, "/v1"+path, strings.NewReader(`{"item":"kite"}`)))
		if w.Code != 200 || w.Body.String() != rt.Function {
			t.Errorf("%s /v1%s: %d %q, want 200 from %s", rt.Method, path, w.Code, w.Body, rt.Function)
		}
		want := localapi.MethodArn("examplerestapi", "v1", rt.Method, path)
		if len(arns) == 0 || arns[len(arns)-1] != want {
			t.Errorf("%s %s: authorizer asked about %v, want %s", rt.Method, path, arns, want)
		}
	}
	now = now.Add(time.Hour)
	for i := range free.Throttle.BurstLimit + 1 {
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, httptest.NewRequest("GET", "/v1/orders", nil))
		want := 200
		if i == free.Throttle.BurstLimit {
			want = 429
		}
		if w.Code != want {
			t.Fatalf("request %d on the free plan: %d, want %d", i+1, w.Code, want)
		}
	}
}
