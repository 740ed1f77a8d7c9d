package api

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/keymint/keymint/shared/manage"
	"github.com/keymint/keymint/shared/plan"
	"github.com/keymint/keymint/shared/store"
)

// Revoke is the RevokeFunction: revoke one or many, deactivate/activate,
// IP blocks and owner status.
type Revoke struct{ r *router }

// NewRevoke builds the RevokeFunction handler.
func NewRevoke(d Deps) *Revoke {
	r := newRouter(d)
	h := &Revoke{r: r}
	r.mount(RevokeFunction)
	return h
}

// Handle serves an HTTP API v2 request, or the ops direct invoke that sets
// an owner's status: {"owner": "...", "status": "active" | "disabled"}. It is
// the way back in when no usable admin token is left (make admin uses it).
func (h *Revoke) Handle(ctx context.Context, payload json.RawMessage) (any, error) {
	return h.r.dispatch(ctx, payload, h.direct)
}

// ownerStatusBody is PUT /owners/{owner}/status; the direct invoke adds owner.
type ownerStatusBody struct {
	Status string `json:"status"`
}

type directOwnerBody struct {
	ownerStatusBody
	Owner string `json:"owner"`
}

// OwnerStatusView answers an owner status change.
type OwnerStatusView struct {
	Owner        string `json:"owner"`
	Status       string `json:"status"`
	TokensMarked int    `json:"tokensMarked"`
	Complete     bool   `json:"complete"`
}

func (h *Revoke) direct(ctx context.Context, payload json.RawMessage) (any, error) {
	var body directOwnerBody
	req := events.APIGatewayV2HTTPRequest{Body: string(payload)}
	if p := decodeBody(&req, &body, false); p != nil {
		return nil, invalidDirect(p.Detail)
	}
	res, err := h.r.svc.SetOwnerStatus(ctx, manage.Caller{Ops: true}, body.Owner, body.Status, marking(ctx))
	if err != nil {
		return nil, directError(fromError(ctx, h.r.log, err))
	}
	h.r.log.InfoContext(ctx, "owner status set by direct invoke", "owner", res.Owner, "status", res.Status)
	return OwnerStatusView{Owner: res.Owner, Status: res.Status, TokensMarked: res.Marked, Complete: res.Complete}, nil
}

// marking is when owner-status marking stops, leaving time to answer.
func marking(ctx context.Context) time.Time {
	if d, ok := ctx.Deadline(); ok {
		return d.Add(-ownerStatusBudget)
	}
	return time.Time{}
}

func (h *Revoke) one(ctx context.Context, t *store.Record, err error) (events.APIGatewayV2HTTPResponse, error) {
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return jsonResponse(http.StatusOK, h.r.view(t)), nil
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

// idsBody is POST /tokens/revoke.
type idsBody struct {
	IDs []string `json:"ids"`
}

// BulkResultView is one id's outcome in a bulk request.
type BulkResultView struct {
	ID     string     `json:"id"`
	Status int        `json:"status"`
	Token  *TokenView `json:"token,omitempty"`
	Error  *Problem   `json:"error,omitempty"`
}

func (h *Revoke) revokeMany(ctx context.Context, c manage.Caller, req *events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	return h.bulk(ctx, c, req, h.r.svc.RevokeMany)
}

func (h *Revoke) deactivateMany(ctx context.Context, c manage.Caller, req *events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	return h.bulk(ctx, c, req, h.r.svc.DeactivateMany)
}

func (h *Revoke) activateMany(ctx context.Context, c manage.Caller, req *events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	return h.bulk(ctx, c, req, h.r.svc.ActivateMany)
}

// bulk answers {ids} with each id's outcome, in request order, as its own
// route would have answered it.
func (h *Revoke) bulk(ctx context.Context, c manage.Caller, req *events.APIGatewayV2HTTPRequest,
	op func(context.Context, manage.Caller, []string) ([]manage.BulkResult, error)) (events.APIGatewayV2HTTPResponse, error) {
	var body idsBody
	if p := decodeBody(req, &body, false); p != nil {
		return events.APIGatewayV2HTTPResponse{}, p
	}
	results, err := op(ctx, c, body.IDs)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	out := make([]BulkResultView, 0, len(results))
	for _, res := range results {
		rv := BulkResultView{ID: res.ID, Status: http.StatusOK}
		if res.Err != nil {
			p := fromError(ctx, h.r.log, res.Err)
			rv.Status, rv.Error = p.Status, p
		} else {
			v := h.r.view(res.Token)
			rv.Token = &v
		}
		out = append(out, rv)
	}
	return jsonResponse(http.StatusOK, map[string]any{"results": out}), nil
}

// ownerPolicyBody is PATCH /owners/{owner}.
type ownerPolicyBody struct {
	SingleToken     *bool       `json:"singleToken"`
	Plan            *string     `json:"plan"`
	Quota           *plan.Quota `json:"quota"`
	MaxLiveTokens   *int        `json:"maxLiveTokens"`
	MaxLifetimeDays *int        `json:"maxLifetimeDays"`
	// Metadata replaces the owner's whole; {} clears it.
	Metadata *map[string]string `json:"metadata"`
}

func (h *Revoke) ownerPolicy(ctx context.Context, c manage.Caller, req *events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	var body ownerPolicyBody
	if p := decodeBody(req, &body, false); p != nil {
		return events.APIGatewayV2HTTPResponse{}, p
	}
	res, err := h.r.svc.SetOwnerPolicy(ctx, c, req.PathParameters["owner"], manage.OwnerPolicy{SingleToken: body.SingleToken, Plan: body.Plan,
		Quota: body.Quota, MaxLiveTokens: body.MaxLiveTokens, MaxLifetimeDays: body.MaxLifetimeDays, Metadata: body.Metadata}, marking(ctx))
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	status := http.StatusOK
	if !res.Complete {
		// The owner is on its new plan and new tokens start on it;
		// repeating the call finishes copying it onto the rest.
		status = http.StatusAccepted
	}
	return jsonResponse(status, ownerView(&res.OwnerSummary)), nil
}

// ownerStatusBudget leaves the function time to answer after marking.
const ownerStatusBudget = 3 * time.Second

func (h *Revoke) ownerStatus(ctx context.Context, c manage.Caller, req *events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	var body ownerStatusBody
	if p := decodeBody(req, &body, false); p != nil {
		return events.APIGatewayV2HTTPResponse{}, p
	}
	res, err := h.r.svc.SetOwnerStatus(ctx, c, req.PathParameters["owner"], body.Status, marking(ctx))
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	status := http.StatusOK
	if !res.Complete {
		// The owner item already refuses new tokens; repeating the call
		// finishes marking the rest.
		status = http.StatusAccepted
	}
	return jsonResponse(status, OwnerStatusView{Owner: res.Owner, Status: res.Status, TokensMarked: res.Marked, Complete: res.Complete}), nil
}
