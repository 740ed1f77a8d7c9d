package api

import (
	"context"
	"net/http"

	"github.com/aws/aws-lambda-go/events"
	"github.com/keymint/keymint/shared/app"
	"github.com/keymint/keymint/shared/manage"
)

// Describe is the DescribeFunction: the read routes.
type Describe struct{ r *router }

// NewDescribe builds the DescribeFunction handler.
func NewDescribe(a *app.App) *Describe {
	r := newRouter(a)
	h := &Describe{r: r}
	r.routes = map[string]endpoint{
		"GET /tokens":            h.list,
		"GET /tokens/{id}":       h.get,
		"GET /tokens/{id}/usage": h.usage,
		"GET /tokens/{id}/audit": h.audit,
		"GET /whoami":            h.whoami,
	}
	return h
}

// Handle serves an HTTP API v2 request.
func (h *Describe) Handle(ctx context.Context, req events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	return h.r.serve(ctx, req)
}

func page(req *events.APIGatewayV2HTTPRequest) (int32, string, error) {
	limit, p := queryInt(req, "limit")
	if p != nil {
		return 0, "", fail(p)
	}
	return limit, req.QueryStringParameters["cursor"], nil
}

func (h *Describe) list(ctx context.Context, c manage.Caller, req *events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	limit, cursor, err := page(req)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	q := req.QueryStringParameters
	toks, next, err := h.r.svc.List(ctx, c, manage.ListRequest{Owner: q["owner"], Status: q["status"], Limit: limit, Cursor: cursor})
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	now := h.r.clock.Now()
	out := ListView[TokenView]{Items: make([]TokenView, 0, len(toks)), NextCursor: next}
	for _, t := range toks {
		out.Items = append(out.Items, viewOf(t, now))
	}
	return jsonResponse(http.StatusOK, out), nil
}

func (h *Describe) get(ctx context.Context, c manage.Caller, req *events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	t, err := h.r.svc.Get(ctx, c, req.PathParameters["id"])
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return jsonResponse(http.StatusOK, viewOf(t, h.r.clock.Now())), nil
}

func (h *Describe) usage(ctx context.Context, c manage.Caller, req *events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	limit, cursor, err := page(req)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	uses, next, err := h.r.svc.Usage(ctx, c, req.PathParameters["id"], limit, cursor)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	out := ListView[UsageView]{Items: make([]UsageView, 0, len(uses)), NextCursor: next}
	for _, u := range uses {
		out.Items = append(out.Items, UsageView{IP: u.IP, FirstSeen: epoch(u.FirstSeen), LastSeen: epoch(u.LastSeen), Count: u.Count})
	}
	return jsonResponse(http.StatusOK, out), nil
}

func (h *Describe) audit(ctx context.Context, c manage.Caller, req *events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	limit, cursor, err := page(req)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	evs, next, err := h.r.svc.Audit(ctx, c, req.PathParameters["id"], limit, cursor)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	out := ListView[AuditView]{Items: make([]AuditView, 0, len(evs)), NextCursor: next}
	for _, e := range evs {
		out.Items = append(out.Items, AuditView{At: e.At, Action: e.Action, Actor: e.Actor, SourceIP: e.SourceIP, TokenID: e.TokenID, Details: e.Details})
	}
	return jsonResponse(http.StatusOK, out), nil
}

// WhoamiView is the caller's own token.
type WhoamiView struct {
	TokenID   string   `json:"tokenId"`
	Owner     string   `json:"owner"`
	Name      string   `json:"name"`
	Scopes    []string `json:"scopes"`
	ExpiresAt string   `json:"expiresAt"`
	Admin     bool     `json:"admin"`
}

func (h *Describe) whoami(ctx context.Context, c manage.Caller, req *events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	t, err := h.r.svc.Get(ctx, c, c.TokenID)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	v := viewOf(t, h.r.clock.Now())
	return jsonResponse(http.StatusOK, WhoamiView{
		TokenID: t.ID, Owner: t.Owner, Name: t.Name, Scopes: v.Scopes,
		ExpiresAt: v.ExpiresAt.Format("2006-01-02T15:04:05Z07:00"), Admin: c.Admin(),
	}), nil
}
