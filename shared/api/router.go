package api

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/aws/aws-lambda-go/events"
	"github.com/keymint/keymint/shared/app"
	"github.com/keymint/keymint/shared/clock"
	"github.com/keymint/keymint/shared/manage"
	"github.com/keymint/keymint/shared/policy"
)

// endpoint is one route's handler and the scope it needs ("" for any
// valid token).
type endpoint struct {
	scope  string
	handle func(ctx context.Context, c manage.Caller, req *events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error)
}

// router dispatches on API Gateway's routeKey ("GET /tokens/{id}"), which
// names the template's route rather than the concrete path.
type router struct {
	svc    *manage.Service
	cat    *policy.Catalogue
	clock  clock.Clock
	log    *slog.Logger
	routes map[string]endpoint
}

func newRouter(a *app.App) *router {
	return &router{
		svc:   manage.New(a.Store, a.Keyring, a.Catalogue, a.Clock, a.Config),
		cat:   a.Catalogue,
		clock: a.Clock,
		log:   a.Log,
	}
}

func (r *router) serve(ctx context.Context, req events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	ep, ok := r.routes[req.RouteKey]
	if !ok {
		return problem(http.StatusNotFound, "no-route", "no such route").response(&req), nil
	}
	caller, p := callerOf(r.cat, &req)
	if p == nil {
		p = need(caller, ep.scope)
	}
	if p != nil {
		return p.response(&req), nil
	}
	resp, err := ep.handle(ctx, caller, &req)
	if err != nil {
		return fromError(ctx, r.log, err).response(&req), nil
	}
	r.log.InfoContext(ctx, "request", slog.String("route", req.RouteKey), slog.String("caller", caller.TokenID),
		slog.String("tokenId", req.PathParameters["id"]), slog.Int("status", resp.StatusCode))
	return resp, nil
}

// problemError lets handlers return a ready problem through the error path.
type problemError struct{ p *Problem }

func (e *problemError) Error() string { return e.p.Detail }

func fail(p *Problem) error { return &problemError{p: p} }
