package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/aws/aws-lambda-go/events"
	"github.com/keymint/keymint/shared/manage"
)

// Issue is the IssueFunction: issue, edit, regenerate, copy, and the ops
// direct invoke that issues a token (IAM on the function is its gate).
type Issue struct{ r *router }

// NewIssue builds the IssueFunction handler.
func NewIssue(d Deps) *Issue {
	r := newRouter(d)
	h := &Issue{r: r}
	r.mount(IssueFunction)
	return h
}

// Handle takes an HTTP API v2 event or an ops direct invoke.
func (h *Issue) Handle(ctx context.Context, payload json.RawMessage) (any, error) {
	return h.r.dispatch(ctx, payload, h.direct)
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
	// Metadata is passed to the API behind the authorizer as meta_<key>.
	Metadata map[string]string `json:"metadata"`
}

// directBody is the ops direct invoke: the issue body, plus the key a
// header would carry over HTTP.
type directBody struct {
	issueBody
	IdempotencyKey string `json:"idempotencyKey"`
}

// idempotencyKey is the request's Idempotency-Key header. API Gateway's
// payload 2.0 gives header names in lower case.
func idempotencyKey(req *events.APIGatewayV2HTTPRequest) string {
	return req.Headers["idempotency-key"]
}

func (b issueBody) request() manage.IssueRequest {
	return manage.IssueRequest{
		Name: b.Name, Description: b.Description, Scopes: b.Scopes,
		ExpiresAt: b.ExpiresAt.time(), ExpiresInDays: b.ExpiresInDays,
		AllowedCIDRs: b.AllowedCIDRs, Owner: b.Owner, Metadata: b.Metadata,
	}
}

// direct serves ops: the answer is the issued token, or a Lambda error
// whose message is safe to show (it is what the invoker prints).
func (h *Issue) direct(ctx context.Context, payload json.RawMessage) (any, error) {
	var body directBody
	req := events.APIGatewayV2HTTPRequest{Body: string(payload)}
	if p := decodeBody(&req, &body, false); p != nil {
		return nil, invalidDirect(p.Detail)
	}
	if body.Owner == "" {
		return nil, invalidDirect("owner is required for a direct invoke")
	}
	caller := manage.Caller{Owner: body.Owner, Ops: true}
	ir := body.request()
	ir.IdempotencyKey = body.IdempotencyKey
	issued, err := h.r.svc.Issue(ctx, caller, ir)
	var replay *manage.Replayed
	if errors.As(err, &replay) {
		return h.r.view(replay.Token), nil
	}
	if err != nil {
		return nil, directError(fromError(ctx, h.r.log, err))
	}
	h.r.log.InfoContext(ctx, "issued by direct invoke", "tokenId", issued.Token.ID, "owner", issued.Token.Owner)
	v := h.r.view(issued.Token)
	v.Token = issued.Plaintext
	return v, nil
}

// created answers a create: 201 with the secret, or, for a retry with the
// same Idempotency-Key, 200 with the token the first attempt made and no
// secret (keymint never stores it; regenerate makes a new one).
func (h *Issue) created(issued *manage.Issued, err error) (events.APIGatewayV2HTTPResponse, error) {
	var replay *manage.Replayed
	if errors.As(err, &replay) {
		resp := jsonResponse(http.StatusOK, h.r.view(replay.Token))
		resp.Headers["Idempotent-Replayed"] = "true"
		resp.Headers["Location"] = "/tokens/" + replay.Token.ID
		return resp, nil
	}
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return h.issued(http.StatusCreated, issued), nil
}

func (h *Issue) issued(status int, issued *manage.Issued) events.APIGatewayV2HTTPResponse {
	v := IssuedView{TokenView: h.r.view(issued.Token)}
	v.Token = issued.Plaintext
	for _, r := range issued.Replaced {
		v.Replaced = append(v.Replaced, ReplacedView{ID: r.ID, Name: r.Name})
	}
	resp := jsonResponse(status, v)
	resp.Headers["Location"] = "/tokens/" + issued.Token.ID
	return resp
}

func (h *Issue) issue(ctx context.Context, c manage.Caller, req *events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	var body issueBody
	if p := decodeBody(req, &body, false); p != nil {
		return events.APIGatewayV2HTTPResponse{}, p
	}
	ir := body.request()
	ir.IdempotencyKey = idempotencyKey(req)
	return h.created(h.r.svc.Issue(ctx, c, ir))
}

// regenerateBody is POST /tokens/{id}/regenerate (optional).
type regenerateBody struct {
	GraceSeconds int64 `json:"graceSeconds"`
}

// copyBody is POST /tokens/{id}/copy.
type copyBody struct {
	Name string `json:"name"`
}

type editBody struct {
	Name         *string   `json:"name"`
	Description  *string   `json:"description"`
	ExpiresAt    *rfc3339  `json:"expiresAt"`
	AllowedCIDRs *[]string `json:"allowedCidrs"`
	Scopes       *[]string `json:"scopes"`
	// Metadata replaces the token's whole; {} clears it.
	Metadata *map[string]string `json:"metadata"`
}

func (h *Issue) edit(ctx context.Context, c manage.Caller, req *events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	var body editBody
	if p := decodeBody(req, &body, false); p != nil {
		return events.APIGatewayV2HTTPResponse{}, p
	}
	t, err := h.r.svc.Edit(ctx, c, req.PathParameters["id"], manage.EditRequest{
		Name: body.Name, Description: body.Description, ExpiresAt: body.ExpiresAt.time(),
		AllowedCIDRs: body.AllowedCIDRs, Scopes: body.Scopes, Metadata: body.Metadata,
	})
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return jsonResponse(http.StatusOK, h.r.view(t)), nil
}

func (h *Issue) regenerate(ctx context.Context, c manage.Caller, req *events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	var body regenerateBody
	if p := decodeBody(req, &body, true); p != nil {
		return events.APIGatewayV2HTTPResponse{}, p
	}
	issued, err := h.r.svc.Regenerate(ctx, c, req.PathParameters["id"], body.GraceSeconds)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return h.issued(http.StatusOK, issued), nil
}

func (h *Issue) copy(ctx context.Context, c manage.Caller, req *events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	var body copyBody
	if p := decodeBody(req, &body, false); p != nil {
		return events.APIGatewayV2HTTPResponse{}, p
	}
	return h.created(h.r.svc.Copy(ctx, c, req.PathParameters["id"], manage.CopyRequest{Name: body.Name, IdempotencyKey: idempotencyKey(req)}))
}
