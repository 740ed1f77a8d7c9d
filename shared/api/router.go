package api

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/keymint/keymint/shared/clock"
	"github.com/keymint/keymint/shared/manage"
	"github.com/keymint/keymint/shared/policy"
	"github.com/keymint/keymint/shared/store"
)

// endpoint is one route's handler. Which tokens may call it is the scope
// catalogue's to say, as it is for the authorizer.
type endpoint func(ctx context.Context, c manage.Caller, req *events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error)

// publicEndpoint is a route the template wires without the authorizer
// (Auth: {Authorizer: NONE}): it has no caller and checks no scopes, so it
// must never read or change a token.
type publicEndpoint func(ctx context.Context, req *events.APIGatewayV2HTTPRequest) events.APIGatewayV2HTTPResponse

// router dispatches on API Gateway's routeKey ("GET /tokens/{id}"), which
// names the template's route rather than the concrete path.
type router struct {
	svc    *manage.Service
	cat    *policy.Catalogue
	clock  clock.Clock
	log    *slog.Logger
	routes map[string]endpoint
	// public routes are served without an authorizer context; every other
	// route refuses a request that lacks one.
	public map[string]publicEndpoint
}

// Deps are what the management handlers use: the operations, the scope
// catalogue that decides who may call which route, the clock and the log.
type Deps struct {
	Service   *manage.Service
	Catalogue *policy.Catalogue
	Clock     clock.Clock
	Log       *slog.Logger
}

func newRouter(d Deps) *router {
	return &router{svc: d.Service, cat: d.Catalogue, clock: d.Clock, log: d.Log}
}

// view is a token as clients see it now.
func (r *router) view(t *store.Record) TokenView {
	v := viewOf(t, r.clock.Now(), r.svc.Rules())
	v.ScopesOutsidePlan = r.svc.ScopesOutsidePlan(t)
	return v
}

// responseMargin is how long before the function's deadline a handler stops
// waiting on DynamoDB. It then answers with a problem it chose (and a create
// still has time to look for a write whose answer it lost) instead of being
// cut off by Lambda's timeout, which reaches the client as a bare 500.
const responseMargin = 2 * time.Second

func (r *router) serve(ctx context.Context, req events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	ctx, cancel := clock.WithMargin(ctx, responseMargin)
	defer cancel()
	// A public route has no authorizer context to read: it is served
	// before callerOf, which refuses every request without one.
	if pub, ok := r.public[req.RouteKey]; ok {
		resp := pub(ctx, &req)
		r.log.InfoContext(ctx, "request", slog.String("route", req.RouteKey), slog.Int("status", resp.StatusCode))
		return resp, nil
	}
	ep, ok := r.routes[req.RouteKey]
	if !ok {
		return problem(http.StatusNotFound, "no-route", "no such route").response(&req), nil
	}
	caller, p := callerOf(r.cat, &req)
	if p == nil {
		p = permitted(r.cat, caller, &req)
	}
	if p != nil {
		return p.response(&req), nil
	}
	resp, err := ep(ctx, caller, &req)
	if err != nil {
		return fromError(ctx, r.log, err).response(&req), nil
	}
	r.log.InfoContext(ctx, "request", slog.String("route", req.RouteKey), slog.String("caller", caller.Actor()),
		slog.String("tokenId", req.PathParameters["id"]), slog.Int("status", resp.StatusCode))
	return resp, nil
}

// dispatch serves an HTTP API payload 2.0 event through the routes, and
// anything else through direct: an ops invoke, for which IAM on the
// function is the gate.
func (r *router) dispatch(ctx context.Context, payload json.RawMessage, direct func(context.Context, json.RawMessage) (any, error)) (any, error) {
	var probe struct {
		Version  string `json:"version"`
		RouteKey string `json:"routeKey"`
	}
	if err := json.Unmarshal(payload, &probe); err != nil {
		return nil, invalidDirect("the event is not a JSON object")
	}
	if probe.Version == "2.0" && probe.RouteKey != "" {
		var req events.APIGatewayV2HTTPRequest
		if err := json.Unmarshal(payload, &req); err != nil {
			return nil, invalidDirect("unreadable HTTP API event")
		}
		return r.serve(ctx, req)
	}
	ctx, cancel := clock.WithMargin(ctx, responseMargin)
	defer cancel()
	return direct(ctx, payload)
}
