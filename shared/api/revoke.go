package api

import (
	"context"
	"net/http"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/keymint/keymint/shared/app"
	"github.com/keymint/keymint/shared/manage"
	"github.com/keymint/keymint/shared/store"
)

// Revoke is the RevokeFunction: revoke one or many, deactivate/activate,
// IP blocks and owner status.
type Revoke struct{ r *router }

// NewRevoke builds the RevokeFunction handler.
func NewRevoke(a *app.App) *Revoke {
	r := newRouter(a)
	h := &Revoke{r: r}
	r.routes = map[string]endpoint{
		"POST /tokens/{id}/deactivate":         {manage.ScopeWrite, h.deactivate},
		"POST /tokens/{id}/activate":           {manage.ScopeWrite, h.activate},
		"DELETE /tokens/{id}":                  {manage.ScopeWrite, h.revoke},
		"POST /tokens/revoke":                  {manage.ScopeWrite, h.revokeMany},
		"PUT /tokens/{id}/blocked-ips/{ip}":    {manage.ScopeWrite, h.block},
		"DELETE /tokens/{id}/blocked-ips/{ip}": {manage.ScopeWrite, h.unblock},
		"PUT /owners/{owner}/status":           {manage.ScopeAdmin, h.ownerStatus},
	}
	return h
}

// Handle serves an HTTP API v2 request.
func (h *Revoke) Handle(ctx context.Context, req events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	return h.r.serve(ctx, req)
}

func (h *Revoke) one(ctx context.Context, t *store.Token, err error) (events.APIGatewayV2HTTPResponse, error) {
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return jsonResponse(http.StatusOK, viewOf(t, h.r.clock.Now())), nil
}

func (h *Revoke) deactivate(ctx context.Context, c manage.Caller, req *events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	t, err := h.r.svc.Deactivate(ctx, c, req.PathParameters["id"])
	return h.one(ctx, t, err)
}

func (h *Revoke) activate(ctx context.Context, c manage.Caller, req *events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	t, err := h.r.svc.Activate(ctx, c, req.PathParameters["id"])
	return h.one(ctx, t, err)
}

func (h *Revoke) revoke(ctx context.Context, c manage.Caller, req *events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	t, err := h.r.svc.Revoke(ctx, c, req.PathParameters["id"])
	return h.one(ctx, t, err)
}

func (h *Revoke) block(ctx context.Context, c manage.Caller, req *events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	t, err := h.r.svc.BlockIP(ctx, c, req.PathParameters["id"], req.PathParameters["ip"])
	return h.one(ctx, t, err)
}

func (h *Revoke) unblock(ctx context.Context, c manage.Caller, req *events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	t, err := h.r.svc.UnblockIP(ctx, c, req.PathParameters["id"], req.PathParameters["ip"])
	return h.one(ctx, t, err)
}

// RevokeResultView is one id's outcome in a bulk revoke.
type RevokeResultView struct {
	ID     string     `json:"id"`
	Status int        `json:"status"`
	Token  *TokenView `json:"token,omitempty"`
	Error  *Problem   `json:"error,omitempty"`
}

func (h *Revoke) revokeMany(ctx context.Context, c manage.Caller, req *events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	var body struct {
		IDs []string `json:"ids"`
	}
	if p := decodeBody(req, &body, false); p != nil {
		return events.APIGatewayV2HTTPResponse{}, fail(p)
	}
	results, err := h.r.svc.RevokeMany(ctx, c, body.IDs)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	now := h.r.clock.Now()
	out := make([]RevokeResultView, 0, len(results))
	for _, res := range results {
		rv := RevokeResultView{ID: res.ID, Status: http.StatusOK}
		if res.Err != nil {
			p := fromError(ctx, h.r.log, res.Err)
			rv.Status, rv.Error = p.Status, p
		} else {
			v := viewOf(res.Token, now)
			rv.Token = &v
		}
		out = append(out, rv)
	}
	return jsonResponse(http.StatusOK, map[string]any{"results": out}), nil
}

// ownerStatusBudget leaves the function time to answer after marking.
const ownerStatusBudget = 3 * time.Second

func (h *Revoke) ownerStatus(ctx context.Context, c manage.Caller, req *events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	var body struct {
		Status string `json:"status"`
	}
	if p := decodeBody(req, &body, false); p != nil {
		return events.APIGatewayV2HTTPResponse{}, fail(p)
	}
	var deadline time.Time
	if d, ok := ctx.Deadline(); ok {
		deadline = d.Add(-ownerStatusBudget)
	}
	res, err := h.r.svc.SetOwnerStatus(ctx, c, req.PathParameters["owner"], body.Status, deadline)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	status := http.StatusOK
	if !res.Complete {
		// The owner item already refuses new tokens; repeating the call
		// finishes marking the rest.
		status = http.StatusAccepted
	}
	return jsonResponse(status, map[string]any{
		"owner": res.Owner, "status": res.Status, "tokensMarked": res.Marked, "complete": res.Complete,
	}), nil
}
