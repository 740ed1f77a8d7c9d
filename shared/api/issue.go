package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/keymint/keymint/shared/app"
	"github.com/keymint/keymint/shared/manage"
)

// Issue is the IssueFunction: issue, edit, regenerate, copy, and the ops
// direct invoke that issues a token (IAM on the function is its gate).
type Issue struct{ r *router }

// NewIssue builds the IssueFunction handler.
func NewIssue(a *app.App) *Issue {
	r := newRouter(a)
	h := &Issue{r: r}
	r.routes = map[string]endpoint{
		"POST /tokens":                 {manage.ScopeWrite, h.issue},
		"PATCH /tokens/{id}":           {manage.ScopeWrite, h.edit},
		"POST /tokens/{id}/regenerate": {manage.ScopeWrite, h.regenerate},
		"POST /tokens/{id}/copy":       {manage.ScopeWrite, h.copy},
	}
	return h
}

// Handle takes an HTTP API v2 event or an ops direct invoke.
func (h *Issue) Handle(ctx context.Context, payload json.RawMessage) (any, error) {
	var probe struct {
		Version  string `json:"version"`
		RouteKey string `json:"routeKey"`
	}
	if err := json.Unmarshal(payload, &probe); err != nil {
		return nil, errors.New("invalid input: the event is not a JSON object")
	}
	if probe.Version == "2.0" && probe.RouteKey != "" {
		var req events.APIGatewayV2HTTPRequest
		if err := json.Unmarshal(payload, &req); err != nil {
			return nil, errors.New("invalid input: unreadable HTTP API event")
		}
		return h.r.serve(ctx, req)
	}
	return h.direct(ctx, payload)
}

// issueBody is POST /tokens (and the direct invoke, which adds owner).
type issueBody struct {
	Name          string   `json:"name"`
	Description   string   `json:"description"`
	Scopes        []string `json:"scopes"`
	ExpiresAt     *rfc3339 `json:"expiresAt"`
	ExpiresInDays *int     `json:"expiresInDays"`
	AllowedCIDRs  []string `json:"allowedCidrs"`
	Owner         string   `json:"owner"`
}

func (b issueBody) request() manage.IssueRequest {
	return manage.IssueRequest{
		Name: b.Name, Description: b.Description, Scopes: b.Scopes,
		ExpiresAt: b.ExpiresAt.time(), ExpiresInDays: b.ExpiresInDays,
		AllowedCIDRs: b.AllowedCIDRs, Owner: b.Owner,
	}
}

// direct serves ops: the answer is the issued token, or a Lambda error
// whose message is safe to show (it is what the invoker prints).
func (h *Issue) direct(ctx context.Context, payload json.RawMessage) (any, error) {
	var body issueBody
	req := events.APIGatewayV2HTTPRequest{Body: string(payload)}
	if p := decodeBody(&req, &body, false); p != nil {
		return nil, fmt.Errorf("invalid input: %s", p.Detail)
	}
	if body.Owner == "" {
		return nil, errors.New("invalid input: owner is required for a direct invoke")
	}
	caller := manage.Caller{Owner: body.Owner, Ops: true}
	issued, err := h.r.svc.Issue(ctx, caller, body.request())
	if err != nil {
		p := fromError(ctx, h.r.log, err)
		return nil, fmt.Errorf("%s: %s", p.Title, p.Detail)
	}
	h.r.log.InfoContext(ctx, "issued by direct invoke", "tokenId", issued.Token.ID, "owner", issued.Token.Owner)
	v := viewOf(issued.Token, h.r.clock.Now())
	v.Token = issued.Plaintext
	return v, nil
}

func (h *Issue) issued(status int, issued *manage.Issued) events.APIGatewayV2HTTPResponse {
	v := viewOf(issued.Token, h.r.clock.Now())
	v.Token = issued.Plaintext
	resp := jsonResponse(status, v)
	resp.Headers["Location"] = "/tokens/" + issued.Token.ID
	return resp
}

func (h *Issue) issue(ctx context.Context, c manage.Caller, req *events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	var body issueBody
	if p := decodeBody(req, &body, false); p != nil {
		return events.APIGatewayV2HTTPResponse{}, fail(p)
	}
	issued, err := h.r.svc.Issue(ctx, c, body.request())
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return h.issued(http.StatusCreated, issued), nil
}

type editBody struct {
	Name         *string   `json:"name"`
	Description  *string   `json:"description"`
	ExpiresAt    *rfc3339  `json:"expiresAt"`
	AllowedCIDRs *[]string `json:"allowedCidrs"`
	Scopes       *[]string `json:"scopes"`
}

func (h *Issue) edit(ctx context.Context, c manage.Caller, req *events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	var body editBody
	if p := decodeBody(req, &body, false); p != nil {
		return events.APIGatewayV2HTTPResponse{}, fail(p)
	}
	t, err := h.r.svc.Edit(ctx, c, req.PathParameters["id"], manage.EditRequest{
		Name: body.Name, Description: body.Description, ExpiresAt: body.ExpiresAt.time(),
		AllowedCIDRs: body.AllowedCIDRs, Scopes: body.Scopes,
	})
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return jsonResponse(http.StatusOK, viewOf(t, h.r.clock.Now())), nil
}

func (h *Issue) regenerate(ctx context.Context, c manage.Caller, req *events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	var body struct {
		GraceSeconds int64 `json:"graceSeconds"`
	}
	if p := decodeBody(req, &body, true); p != nil {
		return events.APIGatewayV2HTTPResponse{}, fail(p)
	}
	if body.GraceSeconds < 0 || body.GraceSeconds > int64(manage.MaxGrace/time.Second) {
		p := problem(http.StatusBadRequest, "invalid-input", fmt.Sprintf("graceSeconds: must be between 0 and %d", int64(manage.MaxGrace/time.Second)))
		p.Errors = []FieldProblem{{Field: "graceSeconds", Detail: "out of range"}}
		return events.APIGatewayV2HTTPResponse{}, fail(p)
	}
	issued, err := h.r.svc.Regenerate(ctx, c, req.PathParameters["id"], time.Duration(body.GraceSeconds)*time.Second)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return h.issued(http.StatusOK, issued), nil
}

func (h *Issue) copy(ctx context.Context, c manage.Caller, req *events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	var body struct {
		Name string `json:"name"`
	}
	if p := decodeBody(req, &body, false); p != nil {
		return events.APIGatewayV2HTTPResponse{}, fail(p)
	}
	issued, err := h.r.svc.Copy(ctx, c, req.PathParameters["id"], body.Name)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return h.issued(http.StatusCreated, issued), nil
}
