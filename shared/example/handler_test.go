package example_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/keymint/keymint/shared/example"
)

// tokenCtx is the context keymint's authorizer passes for a token
// (shared/validate answer.go).
var tokenCtx = map[string]any{
	"kind": "token", "tokenId": "ABCDEFGHIJKLMNOP", "owner": "alice",
	"scopes": "orders:read orders:write", "expiresAt": "2030-01-02T03:04:05Z",
}

func request(routeKey string, params map[string]string, body string, lambdaCtx map[string]any) events.APIGatewayV2HTTPRequest {
	req := events.APIGatewayV2HTTPRequest{Version: "2.0", RouteKey: routeKey, PathParameters: params, Body: body}
	if lambdaCtx != nil {
		req.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{Lambda: lambdaCtx}
	}
	return req
}

func TestHandleAnswersEachRouteWithTheCaller(t *testing.T) {
	t.Parallel()
	wantCaller := map[string]any{
		"kind": "token", "owner": "alice", "tokenId": "ABCDEFGHIJKLMNOP",
		"scopes": []any{"orders:read", "orders:write"}, "expiresAt": "2030-01-02T03:04:05Z",
	}
	tests := []struct {
		route  string
		params map[string]string
		body   string
		status int
		key    string // the sample data's member
		want   any    // its value; nil: only present
	}{
		{example.RouteListOrders, nil, "", 200, "orders", nil},
		{example.RouteGetOrder, map[string]string{"id": "42"}, "", 200, "order",
			map[string]any{"id": "42", "item": "red widget", "quantity": float64(1), "status": "packing"}},
		{example.RouteGetOrder, map[string]string{"id": "9000"}, "", 200, "order",
			map[string]any{"id": "9000", "item": "sample item", "quantity": float64(1), "status": "new"}},
		{example.RouteCreateOrder, nil, `{"item":"kite","quantity":2}`, 201, "order",
			map[string]any{"item": "kite", "quantity": float64(2)}},
		{example.RoutePutOrder, map[string]string{"id": "7"}, `{"item":"kite","id":"other"}`, 200, "order",
			map[string]any{"item": "kite", "id": "7"}},
		{example.RouteDeleteOrder, map[string]string{"id": "7"}, "", 200, "deleted", map[string]any{"id": "7"}},
		{example.RouteReport, map[string]string{"proxy": "sales/2026/q1"}, "", 200, "report", nil},
	}
	for _, tc := range tests {
		t.Run(tc.route, func(t *testing.T) {
			resp, err := example.Handle(context.Background(), request(tc.route, tc.params, tc.body, tokenCtx))
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tc.status || resp.Headers["Content-Type"] != "application/json" {
				t.Fatalf("%d %q, want %d application/json: %s", resp.StatusCode, resp.Headers["Content-Type"], tc.status, resp.Body)
			}
			var got map[string]any
			if err := json.Unmarshal([]byte(resp.Body), &got); err != nil {
				t.Fatal(err)
			}
			if got["example"] != example.Banner || got["route"] != tc.route {
				t.Errorf("example %v, route %v", got["example"], got["route"])
			}
			if !reflect.DeepEqual(got["caller"], wantCaller) {
				t.Errorf("caller %v, want %v", got["caller"], wantCaller)
			}
			data, ok := got[tc.key]
			if !ok {
				t.Fatalf("no %q in %s", tc.key, resp.Body)
			}
			if tc.want != nil && !reflect.DeepEqual(data, tc.want) {
				t.Errorf("%s = %v, want %v", tc.key, data, tc.want)
			}
		})
	}
}

func TestHandleSpecifics(t *testing.T) {
	t.Parallel()
	list := answer(t, request(example.RouteListOrders, nil, "", tokenCtx))
	if orders, _ := list["orders"].([]any); len(orders) != 3 {
		t.Errorf("GET /orders lists %v, want the three sample orders", list["orders"])
	}
	rep := answer(t, request(example.RouteReport, map[string]string{"proxy": "sales/2026/q1"}, "", tokenCtx))
	if r, _ := rep["report"].(map[string]any); r["path"] != "sales/2026/q1" {
		t.Errorf("report %v does not name its path", rep["report"])
	}
	// A binary-safe body arrives base64-encoded; the order is still its JSON.
	b64 := request(example.RouteCreateOrder, nil, base64.StdEncoding.EncodeToString([]byte(`{"item":"kite"}`)), tokenCtx)
	b64.IsBase64Encoded = true
	if o, _ := answer(t, b64)["order"].(map[string]any); o["item"] != "kite" {
		t.Errorf("base64 body: order %v", o)
	}
	// A signed-in person's context has no tokenId.
	user := map[string]any{"kind": "user", "owner": "bob", "scopes": "", "expiresAt": "2030-01-01T00:00:00Z"}
	c, _ := answer(t, request(example.RouteListOrders, nil, "", user))["caller"].(map[string]any)
	if _, has := c["tokenId"]; has || c["kind"] != "user" || c["owner"] != "bob" || !reflect.DeepEqual(c["scopes"], []any{}) {
		t.Errorf("user caller %v", c)
	}
}

func answer(t *testing.T, req events.APIGatewayV2HTTPRequest) map[string]any {
	t.Helper()
	resp, err := example.Handle(context.Background(), req)
	if err != nil || resp.StatusCode >= 300 {
		t.Fatalf("%s: %d %s (%v)", req.RouteKey, resp.StatusCode, resp.Body, err)
	}
	var v map[string]any
	if err := json.Unmarshal([]byte(resp.Body), &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// Bad input gets a problem+json answer naming what is wrong.
func TestHandleRefuses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		req    events.APIGatewayV2HTTPRequest
		status int
	}{
		{"body not JSON", request(example.RouteCreateOrder, nil, `{"item":`, tokenCtx), http.StatusBadRequest},
		{"body an array", request(example.RoutePutOrder, map[string]string{"id": "1"}, `[1]`, tokenCtx), http.StatusBadRequest},
		{"body null", request(example.RouteCreateOrder, nil, `null`, tokenCtx), http.StatusBadRequest},
		{"no body", request(example.RouteCreateOrder, nil, ``, tokenCtx), http.StatusBadRequest},
		{"bad base64", func() events.APIGatewayV2HTTPRequest {
			r := request(example.RouteCreateOrder, nil, `!!`, tokenCtx)
			r.IsBase64Encoded = true
			return r
		}(), http.StatusBadRequest},
		{"unknown route", request("GET /customers", nil, "", tokenCtx), http.StatusNotFound},
		{"no authorizer", request(example.RouteListOrders, nil, "", nil), http.StatusInternalServerError},
		{"authorizer without owner", request(example.RouteListOrders, nil, "", map[string]any{"kind": "token"}), http.StatusInternalServerError},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := example.Handle(context.Background(), tc.req)
			if err != nil {
				t.Fatal(err)
			}
			var p struct {
				Status int    `json:"status"`
				Title  string `json:"title"`
				Detail string `json:"detail"`
			}
			if err := json.Unmarshal([]byte(resp.Body), &p); err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tc.status || resp.Headers["Content-Type"] != "application/problem+json" ||
				p.Status != tc.status || p.Title != http.StatusText(tc.status) || p.Detail == "" {
				t.Errorf("%d %q %+v, want %d problem+json", resp.StatusCode, resp.Headers["Content-Type"], p, tc.status)
			}
		})
	}
}

// The sample events (events/example-*.json, for `make invoke`) each get a
// successful answer for their own route.
func TestSampleEventsAnswer(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("../../events/example-*.json")
	if err != nil || len(files) != len(example.Routes()) {
		t.Fatalf("%d sample events (%v), want one per route (%d)", len(files), err, len(example.Routes()))
	}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var req events.APIGatewayV2HTTPRequest
		if err := json.Unmarshal(raw, &req); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if got := answer(t, req)["route"]; got != req.RouteKey || !slices.Contains(example.Routes(), req.RouteKey) {
			t.Errorf("%s: answered for route %v, the event is %s", f, got, req.RouteKey)
		}
	}
}
