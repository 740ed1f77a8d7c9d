package example_test

import (
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/keymint/keymint/shared/example"
)

// restRequest is ExampleRestApi's proxy event (payload 1.0) for a route
// key: the method and resource, the authorizer's context beside its
// principalId.
func restRequest(routeKey string, params map[string]string, body string, authorizer map[string]any) events.APIGatewayProxyRequest {
	method, resource, _ := strings.Cut(routeKey, " ")
	req := events.APIGatewayProxyRequest{HTTPMethod: method, Resource: resource, PathParameters: params, Body: body}
	if authorizer != nil {
		req.RequestContext.Authorizer = maps.Clone(authorizer)
		req.RequestContext.Authorizer["principalId"] = "alice"
	}
	return req
}

// Through the REST API every route answers as through the HTTP API: the
// same status, content type and body, the caller read from
// requestContext.authorizer.
func TestHandleV1AnswersAsHandle(t *testing.T) {
	t.Parallel()
	tests := []struct {
		route  string
		params map[string]string
		body   string
		ctx    map[string]any
		status int
	}{
		{example.RouteListOrders, nil, "", tokenCtx, 200},
		{example.RouteGetOrder, map[string]string{"id": "42"}, "", tokenCtx, 200},
		{example.RouteCreateOrder, nil, `{"item":"kite","quantity":2}`, tokenCtx, 201},
		{example.RoutePutOrder, map[string]string{"id": "7"}, `{"item":"kite","id":"other"}`, tokenCtx, 200},
		{example.RouteDeleteOrder, map[string]string{"id": "7"}, "", tokenCtx, 200},
		{example.RouteReport, map[string]string{"proxy": "sales/2026/q1"}, "", tokenCtx, 200},
		{example.RouteCreateOrder, nil, `[1]`, tokenCtx, http.StatusBadRequest},
		{"GET /customers", nil, "", tokenCtx, http.StatusNotFound},
		{example.RouteListOrders, nil, "", nil, http.StatusInternalServerError},
		{example.RouteListOrders, nil, "", map[string]any{"kind": "token"}, http.StatusInternalServerError},
	}
	for _, tc := range tests {
		t.Run(tc.route, func(t *testing.T) {
			t.Parallel()
			v1, err := example.HandleV1(context.Background(), restRequest(tc.route, tc.params, tc.body, tc.ctx))
			if err != nil {
				t.Fatal(err)
			}
			v2, err := example.Handle(context.Background(), request(tc.route, tc.params, tc.body, tc.ctx))
			if err != nil {
				t.Fatal(err)
			}
			if v1.StatusCode != tc.status || v2.StatusCode != tc.status || !maps.Equal(v1.Headers, v2.Headers) {
				t.Fatalf("v1 %d %v, v2 %d %v, want %d", v1.StatusCode, v1.Headers, v2.StatusCode, v2.Headers, tc.status)
			}
			var a, b map[string]any
			if err := json.Unmarshal([]byte(v1.Body), &a); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal([]byte(v2.Body), &b); err != nil {
				t.Fatal(err)
			}
			// Only a refusal's detail may differ: it names where the event
			// holds the caller.
			delete(a, "detail")
			delete(b, "detail")
			if !reflect.DeepEqual(a, b) {
				t.Errorf("v1 answers %v, v2 %v", a, b)
			}
			if tc.status == 200 && a["route"] != tc.route {
				t.Errorf("route %v, want %s", a["route"], tc.route)
			}
		})
	}
}

// Serve, ExampleFunction's handler, tells the two payloads apart and
// answers each in its own format.
func TestServeAnswersBothPayloads(t *testing.T) {
	t.Parallel()
	v2, _ := json.Marshal(request(example.RouteGetOrder, map[string]string{"id": "42"}, "", tokenCtx))
	v1, _ := json.Marshal(restRequest(example.RouteGetOrder, map[string]string{"id": "42"}, "", tokenCtx))
	tests := []struct {
		name  string
		event []byte
	}{
		{"payload 2.0", v2},
		{"payload 1.0", v1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out, err := example.Serve(context.Background(), tc.event)
			if err != nil {
				t.Fatal(err)
			}
			var resp struct {
				StatusCode int    `json:"statusCode"`
				Body       string `json:"body"`
				Cookies    *[]any `json:"cookies"` // only payload 2.0 answers have the member
				Headers    struct {
					ContentType string `json:"Content-Type"`
				}
			}
			if err := json.Unmarshal(out, &resp); err != nil {
				t.Fatal(err)
			}
			var body map[string]any
			_ = json.Unmarshal([]byte(resp.Body), &body)
			if resp.StatusCode != 200 || body["route"] != example.RouteGetOrder || resp.Headers.ContentType != "application/json" {
				t.Errorf("answer %s", out)
			}
			// Only a payload 2.0 answer has the member cookies.
			var raw map[string]json.RawMessage
			_ = json.Unmarshal(out, &raw)
			if _, v2 := raw["cookies"]; v2 != (tc.name == "payload 2.0") {
				t.Errorf("%s answered in the other format: %s", tc.name, out)
			}
		})
	}
	if _, err := example.Serve(context.Background(), []byte(`[]`)); err == nil {
		t.Error("Serve took an event that is no object")
	}
}
