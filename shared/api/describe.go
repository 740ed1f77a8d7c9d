package api

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/keymint/keymint/shared/audit"
	"github.com/keymint/keymint/shared/manage"
	"github.com/keymint/keymint/shared/plan"
	"github.com/keymint/keymint/shared/store"
)

// Describe is the DescribeFunction: the read routes, and the API's OpenAPI
// document, the one public route.
type Describe struct{ r *router }

// NewDescribe builds the DescribeFunction handler.
func NewDescribe(d Deps) *Describe {
	r := newRouter(d)
	h := &Describe{r: r}
	r.mount(DescribeFunction)
	return h
}

// Handle serves an HTTP API v2 request, or the ops direct invoke
// {"report": "keyUsage"}: how many live tokens (and grace-period secrets)
// each pepper key id still verifies, to check before retiring a key.
func (h *Describe) Handle(ctx context.Context, payload json.RawMessage) (any, error) {
	return h.r.dispatch(ctx, payload, h.direct)
}

// reportBody is the ops direct invoke.
type reportBody struct {
	Report string `json:"report"`
}

// KeyUsageView answers the key usage report.
type KeyUsageView struct {
	Keys         map[string]store.KeyUse `json:"keys"`
	ScannedItems int                     `json:"scannedItems"`
	At           time.Time               `json:"at"`
}

func (h *Describe) direct(ctx context.Context, payload json.RawMessage) (any, error) {
	var body reportBody
	req := events.APIGatewayV2HTTPRequest{Body: string(payload)}
	if p := decodeBody(&req, &body, false); p != nil {
		return nil, invalidDirect(p.Detail)
	}
	if body.Report != "keyUsage" {
		return nil, invalidDirect(`report must be "keyUsage"`)
	}
	now := h.r.clock.Now()
	keys, scanned, err := h.r.svc.KeyUsage(ctx, now)
	if err != nil {
		return nil, directError(fromError(ctx, h.r.log, err))
	}
	return KeyUsageView{Keys: keys, ScannedItems: scanned, At: now.UTC().Truncate(time.Second)}, nil
}

func page(req *events.APIGatewayV2HTTPRequest) (int32, string, error) {
	limit, p := queryInt(req, "limit")
	if p != nil {
		return 0, "", p
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
	out := ListView[TokenView]{Items: make([]TokenView, 0, len(toks)), NextCursor: next}
	for _, t := range toks {
		out.Items = append(out.Items, h.r.view(t))
	}
	return jsonResponse(http.StatusOK, out), nil
}

func (h *Describe) get(ctx context.Context, c manage.Caller, req *events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	t, err := h.r.svc.Get(ctx, c, req.PathParameters["id"])
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return jsonResponse(http.StatusOK, h.r.view(t)), nil
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

func (h *Describe) ownerAudit(ctx context.Context, c manage.Caller, req *events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	limit, cursor, err := page(req)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	evs, next, err := h.r.svc.OwnerAudit(ctx, c, req.PathParameters["owner"], limit, cursor)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return jsonResponse(http.StatusOK, auditList(evs, next)), nil
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
	return jsonResponse(http.StatusOK, auditList(evs, next)), nil
}

func auditList(evs []audit.Event, next string) ListView[AuditView] {
	out := ListView[AuditView]{Items: make([]AuditView, 0, len(evs)), NextCursor: next}
	for _, e := range evs {
		out.Items = append(out.Items, AuditView{At: e.At, Action: e.Action, Actor: e.Actor, SourceIP: e.SourceIP, TokenID: e.TokenID, Owner: e.Owner, Details: e.Details})
	}
	return out
}

// WhoamiView is who is calling: a token (kind "token": the caller's own
// token) or a signed-in person (kind "user", without a token).
type WhoamiView struct {
	Kind      string   `json:"kind"`
	TokenID   string   `json:"tokenId,omitempty"`
	Owner     string   `json:"owner"`
	Name      string   `json:"name,omitempty"`
	Scopes    []string `json:"scopes"`
	ExpiresAt string   `json:"expiresAt"`
	Admin     bool     `json:"admin"`
	// SingleToken: issuing a token for the caller's owner revokes its
	// other live tokens (the deployment's setting or the owner's policy),
	// so a client can warn before it happens.
	SingleToken bool `json:"singleToken"`
	// Plan is the plan of the caller's owner (GET /plans).
	Plan string `json:"plan"`
}

func (h *Describe) whoami(ctx context.Context, c manage.Caller, req *events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	if c.Person {
		// The ID token's expiry, as the authorizer passed it on.
		until, _ := req.RequestContext.Authorizer.Lambda["expiresAt"].(string)
		o, err := h.r.svc.OwnerPolicyOf(ctx, c.Owner)
		if err != nil {
			return events.APIGatewayV2HTTPResponse{}, err
		}
		// What a person may grant: their scopes and their plan's.
		c, err = h.r.svc.Authority(ctx, c)
		if err != nil {
			return events.APIGatewayV2HTTPResponse{}, err
		}
		return jsonResponse(http.StatusOK, WhoamiView{Kind: "user", Owner: c.Owner, Scopes: c.Scopes, ExpiresAt: until, Admin: c.Admin(),
			SingleToken: o.SingleToken, Plan: o.Plan}), nil
	}
	t, err := h.r.svc.Get(ctx, c, c.TokenID)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	o, err := h.r.svc.OwnerPolicyOf(ctx, t.Owner)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	v := h.r.view(t)
	return jsonResponse(http.StatusOK, WhoamiView{
		Kind: "token", TokenID: t.ID, Owner: t.Owner, Name: t.Name, Scopes: v.Scopes,
		ExpiresAt: v.ExpiresAt.Format("2006-01-02T15:04:05Z07:00"), Admin: c.Admin(), SingleToken: o.SingleToken, Plan: o.Plan,
	}), nil
}

// PlanView is one plan of the deployment.
type PlanView struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	// Scopes are the API scopes its owners' tokens may hold; with
	// AllScopes (no plans configured), every scope of GET /scopes.
	Scopes          []string `json:"scopes"`
	AllScopes       bool     `json:"allScopes"`
	MaxLifetimeDays int      `json:"maxLifetimeDays,omitempty"`
	// Quota bounds the requests of each owner's tokens together.
	Quota *plan.Quota `json:"quota,omitempty"`
	// MaxLiveTokens bounds each owner's live tokens.
	MaxLiveTokens int `json:"maxLiveTokens,omitempty"`
}

// PlansView is the plan catalogue and the plan owners start on.
type PlansView struct {
	Items   []PlanView `json:"items"`
	Default string     `json:"default"`
}

func (h *Describe) plans(_ context.Context, _ manage.Caller, _ *events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	c := h.r.svc.Plans()
	v := PlansView{Items: []PlanView{}, Default: c.Default()}
	for _, p := range c.List() {
		v.Items = append(v.Items, PlanView{Name: p.Name, Description: p.Description, Scopes: nonNil(p.Scopes), AllScopes: p.All,
			MaxLifetimeDays: int(p.MaxLifetime / (24 * time.Hour)), Quota: p.Quota, MaxLiveTokens: p.MaxLiveTokens})
	}
	return jsonResponse(http.StatusOK, v), nil
}
