package validate

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/keymint/keymint/shared/clock"
	"github.com/keymint/keymint/shared/policy"
	"github.com/keymint/keymint/shared/store"
)

// ErrUnauthorized is the error API Gateway turns into 401; its text is
// fixed by API Gateway.
var ErrUnauthorized = errors.New("Unauthorized")

// Handler is the validate Lambda: it accepts every event shape README
// "Validate" lists.
type Handler struct {
	v       *Validator
	cat     *policy.Catalogue
	iamHTTP bool
	log     *slog.Logger
}

// New wraps a Validator; iamForHTTP answers HTTP API events with an IAM
// policy instead of a simple response (AUTHORIZER_RESPONSE=iam).
func New(v *Validator, cat *policy.Catalogue, iamForHTTP bool, log *slog.Logger) *Handler {
	return &Handler{v: v, cat: cat, iamHTTP: iamForHTTP, log: log}
}

// probe holds the fields that tell the event shapes apart.
type probe struct {
	Version            string  `json:"version"`
	Type               string  `json:"type"`
	MethodArn          string  `json:"methodArn"`
	AuthorizationToken *string `json:"authorizationToken"`
	Token              *string `json:"token"`
}

// DirectRequest is the direct-invoke shape.
type DirectRequest struct {
	Token    string `json:"token"`
	Route    string `json:"route,omitempty"` // "GET /orders/1"; empty skips the route check
	SourceIP string `json:"sourceIp,omitempty"`
}

// DirectResponse answers a direct invoke.
type DirectResponse struct {
	Active    bool     `json:"active"`
	Reason    Status   `json:"reason,omitempty"`
	TokenID   string   `json:"tokenId,omitempty"`
	Owner     string   `json:"owner,omitempty"`
	Name      string   `json:"name,omitempty"`
	Scopes    []string `json:"scopes,omitempty"`
	ExpiresAt string   `json:"expiresAt,omitempty"`
}

// Handle recognises the event, decides, and answers in the event's form.
func (h *Handler) Handle(ctx context.Context, payload json.RawMessage) (any, error) {
	var p probe
	if err := json.Unmarshal(payload, &p); err != nil {
		h.log.WarnContext(ctx, "validate: unreadable event", slog.Any("error", err))
		return nil, ErrUnauthorized
	}
	switch {
	case p.Version == "2.0":
		var ev events.APIGatewayV2CustomAuthorizerV2Request
		if err := json.Unmarshal(payload, &ev); err != nil {
			return nil, ErrUnauthorized
		}
		return h.httpAPI(ctx, ev)
	case p.Type == "TOKEN" || p.AuthorizationToken != nil:
		var ev events.APIGatewayCustomAuthorizerRequest
		if err := json.Unmarshal(payload, &ev); err != nil {
			return nil, ErrUnauthorized
		}
		return h.restToken(ctx, ev)
	case p.Type == "REQUEST" && p.MethodArn != "":
		var ev events.APIGatewayCustomAuthorizerRequestTypeRequest
		if err := json.Unmarshal(payload, &ev); err != nil {
			return nil, ErrUnauthorized
		}
		return h.restRequest(ctx, ev)
	case p.Token != nil:
		var req DirectRequest
		if err := json.Unmarshal(payload, &req); err != nil {
			return nil, ErrUnauthorized
		}
		return h.direct(ctx, req)
	}
	h.log.WarnContext(ctx, "validate: unknown event shape")
	return nil, ErrUnauthorized
}

// bearer takes the token out of an Authorization value: "Bearer <t>" (any
// case) or the bare token, as TOKEN authorizers are often configured.
func bearer(v string) string {
	v = strings.TrimSpace(v)
	if len(v) > 7 && strings.EqualFold(v[:7], "bearer ") {
		return strings.TrimSpace(v[7:])
	}
	return v
}

func header(h map[string]string, name string) string {
	for k, v := range h {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}

// decisionMargin: validate gives up on the table this long before its
// deadline and refuses, rather than let Lambda's timeout answer for it.
const decisionMargin = 500 * time.Millisecond

// decide runs Check and logs the outcome (never the token).
func (h *Handler) decide(ctx context.Context, shape string, req Request) (Decision, error) {
	ctx, cancel := clock.WithMargin(ctx, decisionMargin)
	defer cancel()
	d, err := h.v.Check(ctx, req)
	attrs := []any{slog.String("shape", shape), slog.String("route", strings.TrimSpace(req.Method+" "+req.Path)), slog.String("sourceIp", req.SourceIP)}
	if d.Token != nil {
		attrs = append(attrs, slog.String("tokenId", d.Token.ID), slog.String("owner", d.Token.Owner))
	}
	if err != nil {
		h.log.ErrorContext(ctx, "validate: decision failed, refusing", append(attrs, slog.Any("error", err))...)
		return Decision{}, err
	}
	h.log.InfoContext(ctx, "validate", append(attrs, slog.String("outcome", string(d.Status)))...)
	return d, nil
}

// authContext is what downstream integrations receive. REST authorizer
// context values must be strings, numbers or booleans, so scopes are joined.
func authContext(t *store.Token) map[string]any {
	return map[string]any{
		"tokenId":   t.ID,
		"owner":     t.Owner,
		"scopes":    strings.Join(t.Scopes, " "),
		"expiresAt": time.Unix(t.ExpiresAt, 0).UTC().Format(time.RFC3339),
	}
}

// httpAPI answers an HTTP API (payload 2.0) authorizer event. AWS documents
// three outcomes there: a missing identity source is 401 before the
// authorizer runs; `isAuthorized: false` (or an IAM policy that does not
// allow the route) is 403; an error or an answer it cannot read is 500
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-lambda-authorizer.html).
// The REST rule that an "Unauthorized" error means 401 is not among them,
// so every denial here is an answer, never an error; why is in the log.
func (h *Handler) httpAPI(ctx context.Context, ev events.APIGatewayV2CustomAuthorizerV2Request) (any, error) {
	raw := ""
	if len(ev.IdentitySource) > 0 {
		raw = ev.IdentitySource[0]
	}
	if raw == "" {
		raw = header(ev.Headers, "authorization")
	}
	method, path := httpRoute(ev)
	d, err := h.decide(ctx, "http-v2", Request{Token: bearer(raw), Method: method, Path: path, SourceIP: ev.RequestContext.HTTP.SourceIP})
	if err != nil {
		return nil, errValidate
	}
	if h.iamHTTP {
		arn, aerr := policy.ParseMethodARN(ev.RouteArn)
		if aerr != nil {
			return nil, errValidate
		}
		r := h.iamResponse(arn, d)
		return events.APIGatewayV2CustomAuthorizerIAMPolicyResponse{PrincipalID: r.PrincipalID, PolicyDocument: r.PolicyDocument, Context: r.Context}, nil
	}
	if d.Status != Valid {
		return events.APIGatewayV2CustomAuthorizerSimpleResponse{IsAuthorized: false}, nil
	}
	return events.APIGatewayV2CustomAuthorizerSimpleResponse{IsAuthorized: true, Context: authContext(d.Token)}, nil
}

// errValidate is the authorizer error for a decision that could not be
// made: API Gateway answers 500, and the cause is in the log.
var errValidate = errors.New("validate failed")

// httpRoute is the method and the path as the API's routes see it: the
// route's template filled with its parameters, so a named stage or a custom
// domain's base path in rawPath does not hide the route from the scope
// patterns. A $default (catch-all) route has no template; its raw path is
// used with a named stage's prefix removed.
func httpRoute(ev events.APIGatewayV2CustomAuthorizerV2Request) (string, string) {
	method := ev.RequestContext.HTTP.Method
	routeMethod, tmpl, ok := strings.Cut(ev.RouteKey, " ")
	if method == "" {
		method = routeMethod
	}
	if ok {
		if path, filled := policy.FillRoute(tmpl, ev.PathParameters); filled {
			return method, path
		}
	}
	return method, policy.StripStage(ev.RawPath, ev.RequestContext.Stage)
}

// iamResponse allows every route the token's scopes open, so a cached policy
// serves the token's other calls too; a token refused outright or from a
// refused address gets an explicit Deny of the whole stage.
func (h *Handler) iamResponse(arn policy.MethodARN, d Decision) events.APIGatewayCustomAuthorizerResponse {
	if d.Token == nil || d.Status != Valid && d.Status != ScopeDenied {
		principal := "anonymous"
		if d.Token != nil {
			principal = d.Token.Owner
		}
		return events.APIGatewayCustomAuthorizerResponse{PrincipalID: principal, PolicyDocument: policy.DenyPolicy(arn)}
	}
	return events.APIGatewayCustomAuthorizerResponse{
		PrincipalID:    d.Token.Owner,
		PolicyDocument: policy.AllowPolicy(arn, h.cat.RoutesFor(d.Token.Scopes, d.Token.ID)),
		Context:        authContext(d.Token),
	}
}

// REST API Lambda authorizers keep REST's documented answers: the
// "Unauthorized" error is 401, a policy that does not allow the method 403
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-use-lambda-authorizer.html).
func (h *Handler) restToken(ctx context.Context, ev events.APIGatewayCustomAuthorizerRequest) (any, error) {
	arn, err := policy.ParseMethodARN(ev.MethodArn)
	if err != nil {
		return nil, ErrUnauthorized
	}
	// The methodArn's resource is the path below the stage: no stage, no
	// custom domain base path.
	d, err := h.decide(ctx, "rest-token", Request{Token: bearer(ev.AuthorizationToken), Method: arn.Method, Path: "/" + arn.Resource})
	if err != nil {
		return nil, errValidate
	}
	if d.Status.Unauthenticated() {
		return nil, ErrUnauthorized
	}
	return h.iamResponse(arn, d), nil
}

func (h *Handler) restRequest(ctx context.Context, ev events.APIGatewayCustomAuthorizerRequestTypeRequest) (any, error) {
	arn, err := policy.ParseMethodARN(ev.MethodArn)
	if err != nil {
		return nil, ErrUnauthorized
	}
	raw := header(ev.Headers, "authorization")
	if raw == "" {
		if vs := ev.MultiValueHeaders["Authorization"]; len(vs) > 0 {
			raw = vs[0]
		}
	}
	method, path := restRoute(ev, arn)
	d, err := h.decide(ctx, "rest-request", Request{Token: bearer(raw), Method: method, Path: path, SourceIP: ev.RequestContext.Identity.SourceIP})
	if err != nil {
		return nil, errValidate
	}
	if d.Status.Unauthenticated() {
		return nil, ErrUnauthorized
	}
	return h.iamResponse(arn, d), nil
}

// restRoute is the method and path as the REST API's resources see them:
// the resource template filled with its parameters (`path` carries a custom
// domain's base path), else the methodArn's stage-relative resource.
func restRoute(ev events.APIGatewayCustomAuthorizerRequestTypeRequest, arn policy.MethodARN) (string, string) {
	method := ev.HTTPMethod
	if method == "" {
		method = arn.Method
	}
	if ev.Resource != "" {
		if path, ok := policy.FillRoute(ev.Resource, ev.PathParameters); ok {
			return method, path
		}
	}
	return method, "/" + arn.Resource
}

func (h *Handler) direct(ctx context.Context, req DirectRequest) (any, error) {
	method, path := "", ""
	if req.Route != "" {
		var ok bool
		if method, path, ok = strings.Cut(strings.TrimSpace(req.Route), " "); !ok {
			return DirectResponse{Active: false, Reason: ScopeDenied}, nil
		}
	}
	d, err := h.decide(ctx, "direct", Request{Token: strings.TrimSpace(req.Token), Method: method, Path: path, SourceIP: req.SourceIP})
	if err != nil {
		return nil, errValidate
	}
	if d.Status != Valid {
		return DirectResponse{Active: false, Reason: d.Status}, nil
	}
	t := d.Token
	return DirectResponse{
		Active: true, TokenID: t.ID, Owner: t.Owner, Name: t.Name, Scopes: t.Scopes,
		ExpiresAt: time.Unix(t.ExpiresAt, 0).UTC().Format(time.RFC3339),
	}, nil
}
