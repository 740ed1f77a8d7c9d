package validate

import (
	"bytes"
	"encoding/json"
	"strings"
	"sync/atomic"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/keymint/keymint/shared/policy"
	"github.com/keymint/keymint/shared/store"
)

// answers are an entry's encoded answers, made on first use and then
// reused for the entry's life: the bytes aws-lambda-go would write for the
// events type, built once by encoding/json itself, so they are exactly
// those (docs/deploy.md "What ValidateFunction answers" shows them).
type answers struct {
	simple  atomic.Pointer[[]byte]    // HTTP API simple response, allowed
	direct  atomic.Pointer[[]byte]    // direct invoke, active
	rest    atomic.Pointer[iamAnswer] // REST API policy, for the last stage asked
	httpIAM atomic.Pointer[iamAnswer] // HTTP API policy, likewise
}

// iamAnswer is a token's policy answers for one stage: policies name the
// stage, so a token used on another stage gets its own (replacing these).
type iamAnswer struct {
	stage       policy.MethodARN // Method and Resource cleared
	allow, deny []byte
}

// encode writes v as aws-lambda-go does: encoding/json with HTML escaping
// off, without the encoder's trailing newline.
func encode(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		// Every value passed here is an events struct of strings, bools and
		// string maps; json cannot fail on them.
		panic("validate: encode answer: " + err.Error())
	}
	out := bytes.TrimSuffix(b.Bytes(), []byte("\n"))
	// Shared by every answer of the entry: capacity ends at the length, so
	// a caller's append copies rather than writes into it.
	return out[:len(out):len(out)]
}

// memo returns *p, building it on first use. Two requests racing to build
// it build the same bytes; either may be kept.
func memo(p *atomic.Pointer[[]byte], build func() any) []byte {
	if b := p.Load(); b != nil {
		return *b
	}
	b := encode(build())
	p.Store(&b)
	return b
}

// context is what downstream integrations receive. REST authorizer context
// values must be strings, numbers or booleans, so scopes are joined. kind
// tells a keymint token ("token", with its id) from a signed-in person
// ("user", on the management API only).
func (e *entry) context() map[string]any {
	if p := e.person; p != nil {
		return map[string]any{
			"kind":      "user",
			"owner":     p.owner,
			"scopes":    strings.Join(p.scopes, " "),
			"expiresAt": time.Unix(p.expires, 0).UTC().Format(time.RFC3339),
		}
	}
	t := e.item
	return map[string]any{
		"kind":      "token",
		"tokenId":   t.ID,
		"owner":     t.Owner,
		"scopes":    strings.Join(t.Scopes, " "),
		"expiresAt": expiresAt(t),
	}
}

// principal is the owner the entry names.
func (e *entry) principal() string {
	if e.person != nil {
		return e.person.owner
	}
	return e.item.Owner
}

// routes are the routes the entry's scopes open.
func (e *entry) routes(cat *policy.Catalogue) []policy.Route {
	if p := e.person; p != nil {
		return cat.RoutesFor(p.scopes, "")
	}
	return cat.RoutesFor(e.item.Scopes, e.item.ID)
}

func expiresAt(t *store.Token) string { return time.Unix(t.ExpiresAt, 0).UTC().Format(time.RFC3339) }

// iamKind picks the events type of an IAM answer: REST's, or the HTTP
// API's (AUTHORIZER_RESPONSE=iam), which differ in optional fields.
type iamKind uint8

const (
	iamREST iamKind = iota
	iamHTTP
)

func (k iamKind) response(principal string, doc events.APIGatewayCustomAuthorizerPolicy, ctx map[string]any) any {
	if k == iamHTTP {
		return events.APIGatewayV2CustomAuthorizerIAMPolicyResponse{PrincipalID: principal, PolicyDocument: doc, Context: ctx}
	}
	return events.APIGatewayCustomAuthorizerResponse{PrincipalID: principal, PolicyDocument: doc, Context: ctx}
}

func sameStage(a, b policy.MethodARN) bool {
	return a.Partition == b.Partition && a.Region == b.Region && a.AccountID == b.AccountID && a.APIID == b.APIID && a.Stage == b.Stage
}

// iam answers with a policy. A token refused outright or from a refused
// address gets an explicit Deny of the whole stage; otherwise the policy
// allows every route the token's scopes open, so a cached policy serves the
// token's other calls too (API Gateway then refuses a route outside it).
func (h *Handler) iam(kind iamKind, arn policy.MethodARN, d Decision) []byte {
	allowed := d.Status == Valid || d.Status == ScopeDenied
	if d.e == nil || d.e.item == nil && d.e.person == nil {
		return encode(kind.response("anonymous", policy.DenyPolicy(arn), nil))
	}
	slot := &d.e.answers.rest
	if kind == iamHTTP {
		slot = &d.e.answers.httpIAM
	}
	a := slot.Load()
	if a == nil || !sameStage(a.stage, arn) {
		a = h.buildIAM(kind, arn, d.e)
		slot.Store(a)
	}
	if allowed {
		return a.allow
	}
	return a.deny
}

func (h *Handler) buildIAM(kind iamKind, arn policy.MethodARN, e *entry) *iamAnswer {
	stage := policy.MethodARN{Partition: strings.Clone(arn.Partition), Region: strings.Clone(arn.Region),
		AccountID: strings.Clone(arn.AccountID), APIID: strings.Clone(arn.APIID), Stage: strings.Clone(arn.Stage)}
	return &iamAnswer{
		stage: stage,
		allow: encode(kind.response(e.principal(), policy.AllowPolicy(arn, e.routes(h.cat)), e.context())),
		deny:  encode(kind.response(e.principal(), policy.DenyPolicy(arn), nil)),
	}
}

// simple is the HTTP API simple response.
func (h *Handler) simple(d Decision) []byte {
	if d.Status != Valid {
		return h.simpleDenied
	}
	e := d.e
	return memo(&e.answers.simple, func() any {
		return events.APIGatewayV2CustomAuthorizerSimpleResponse{IsAuthorized: true, Context: e.context()}
	})
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

func directAnswer(d Decision) []byte {
	if d.Status != Valid {
		return encode(DirectResponse{Active: false, Reason: d.Status})
	}
	t := d.Token
	return memo(&d.e.answers.direct, func() any {
		return DirectResponse{Active: true, TokenID: t.ID, Owner: t.Owner, Name: t.Name, Scopes: t.Scopes, ExpiresAt: expiresAt(t)}
	})
}
