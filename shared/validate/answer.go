package validate

import (
	"bytes"
	"encoding/json"
	"log/slog"
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
	rest    atomic.Pointer[iamAnswer] // REST API policies
	httpIAM atomic.Pointer[iamAnswer] // HTTP API policies, likewise
}

// iamAnswer is what a token's policy answers are built from. An Allow
// names the one ARN asked about (policy.InvokePolicy), so it is spliced
// per ARN into bytes encoded once: before and after the ARN. The Deny names
// the stage, so it is kept for the last stage asked. last is the last Allow
// answered, so a token calling one route again (the usual case) costs no
// allocation.
type iamAnswer struct {
	kind          iamKind
	e             *entry
	before, after []byte // the Allow's encoding around its one resource; nil: encode each
	last          atomic.Pointer[allowed]
	deny          atomic.Pointer[stageDeny]
}

type stageDeny struct {
	stage  policy.MethodARN // Method and Resource cleared
	answer []byte
}

type allowed struct {
	arn    string
	answer []byte
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
	ctx := map[string]any{
		"kind":      "token",
		"tokenId":   t.ID,
		"owner":     t.Owner,
		"scopes":    strings.Join(t.Scopes, " "),
		"expiresAt": expiresAt(t),
	}
	if e.plan != "" {
		ctx["plan"] = e.plan
	}
	// The owner's pairs, then the token's: a token's own key wins.
	for k, v := range t.OwnerMetadata {
		ctx["meta_"+k] = v
	}
	for k, v := range t.Metadata {
		ctx["meta_"+k] = v
	}
	return ctx
}

// principal is the owner the entry names.
func (e *entry) principal() string {
	if e.person != nil {
		return e.person.owner
	}
	return e.item.Owner
}

// usageKey is the owner's API key a REST allow names ("" for a person,
// or an owner whose plan has no usage plan).
func (e *entry) usageKey() string {
	if e.item == nil {
		return ""
	}
	return e.item.UsageKey
}

func expiresAt(t *store.Record) string { return time.Unix(t.ExpiresAt, 0).UTC().Format(time.RFC3339) }

// iamKind picks the events type of an IAM answer: REST's, or the HTTP
// API's (AUTHORIZER_RESPONSE=iam), which differ in optional fields.
type iamKind uint8

const (
	iamREST iamKind = iota
	iamHTTP
)

// response is an IAM answer. usageKey is the owner's API key for a REST
// API whose key source is AUTHORIZER: API Gateway meters and throttles the
// request under the usage plan holding it
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-lambda-authorizer-output.html);
// HTTP APIs have no usage plans, so their answers carry none.
func (k iamKind) response(principal string, doc events.APIGatewayCustomAuthorizerPolicy, ctx map[string]any, usageKey string) any {
	if k == iamHTTP {
		return events.APIGatewayV2CustomAuthorizerIAMPolicyResponse{PrincipalID: principal, PolicyDocument: doc, Context: ctx}
	}
	return events.APIGatewayCustomAuthorizerResponse{PrincipalID: principal, PolicyDocument: doc, Context: ctx, UsageIdentifierKey: usageKey}
}

func sameStage(a, b policy.MethodARN) bool {
	return a.Partition == b.Partition && a.Region == b.Region && a.AccountID == b.AccountID && a.APIID == b.APIID && a.Stage == b.Stage
}

// iam answers with a policy: a valid request gets an Allow of exactly
// the methodArn or routeArn asked about (policy.InvokePolicy says why no
// wider policy keeps to the token's scopes under API Gateway's cache); a
// refusal of any kind, a scope denial included, gets an explicit Deny of
// the whole stage. So does a valid request whose ARN cannot be named
// exactly (it holds an IAM wildcard): denied rather than allow more.
func (h *Handler) iam(kind iamKind, arnText string, arn policy.MethodARN, d Decision) []byte {
	if d.e == nil || d.e.item == nil && d.e.person == nil {
		return encode(kind.response("anonymous", policy.DenyPolicy(arn), nil, ""))
	}
	slot := &d.e.answers.rest
	if kind == iamHTTP {
		slot = &d.e.answers.httpIAM
	}
	a := slot.Load()
	if a == nil {
		a = h.buildIAM(kind, d.e)
		slot.Store(a)
	}
	if d.Status == Valid && policy.ExactARN(arn) {
		return a.allow(arnText)
	}
	if d.Status == RevokeSelf {
		// Rare, so built each time; exact like any Allow, so a cached one
		// opens nothing but this revocation.
		if doc, ok := policy.InvokePolicy(arnText, arn); ok {
			return encode(kind.response(d.e.principal(), doc, d.e.revokeContext(), d.e.usageKey()))
		}
	}
	if d.Status == Valid {
		h.log.Info("validate: the route's ARN holds an IAM wildcard and cannot be allowed exactly; denied",
			slog.String("resource", arn.Method+"/"+arn.Resource))
	}
	return a.denyOn(arn)
}

// allow is the Allow of exactly arnText. An ARN that JSON would escape is
// left to encoding/json; others are spliced between before and after,
// which gives the same bytes.
func (a *iamAnswer) allow(arnText string) []byte {
	if l := a.last.Load(); l != nil && l.arn == arnText {
		return l.answer
	}
	var out []byte
	if a.before != nil && jsonPlain(arnText) {
		out = make([]byte, 0, len(a.before)+len(arnText)+len(a.after))
		out = append(append(append(out, a.before...), arnText...), a.after...)
	} else {
		doc, _ := policy.InvokePolicy(arnText, policy.MethodARN{})
		out = encode(a.kind.response(a.e.principal(), doc, a.e.context(), a.e.usageKey()))
	}
	a.last.Store(&allowed{arn: strings.Clone(arnText), answer: out})
	return out
}

// jsonPlain: encoding/json (HTML escaping off) writes s as itself.
func jsonPlain(s string) bool {
	for i := range len(s) {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// denyOn is the stage-wide Deny for arn's stage, kept for the last stage
// asked (policies name the stage).
func (a *iamAnswer) denyOn(arn policy.MethodARN) []byte {
	if d := a.deny.Load(); d != nil && sameStage(d.stage, arn) {
		return d.answer
	}
	stage := policy.MethodARN{Partition: strings.Clone(arn.Partition), Region: strings.Clone(arn.Region),
		AccountID: strings.Clone(arn.AccountID), APIID: strings.Clone(arn.APIID), Stage: strings.Clone(arn.Stage)}
	d := &stageDeny{stage: stage, answer: encode(a.kind.response(a.e.principal(), policy.DenyPolicy(arn), nil, ""))}
	a.deny.Store(d)
	return d.answer
}

// allowMark stands for the ARN while the Allow is encoded once: plain
// JSON, and if a principal or context value ever held it, buildIAM would
// see it twice and leave every Allow to encoding/json.
const allowMark = "keymint-allow-resource-0c5b1f"

func (h *Handler) buildIAM(kind iamKind, e *entry) *iamAnswer {
	doc, _ := policy.InvokePolicy(allowMark, policy.MethodARN{})
	whole := encode(kind.response(e.principal(), doc, e.context(), e.usageKey()))
	mark := []byte(`"` + allowMark + `"`)
	a := &iamAnswer{kind: kind, e: e}
	if i := bytes.Index(whole, mark); i >= 0 && bytes.Count(whole, mark) == 1 {
		a.before, a.after = whole[:i+1], whole[i+len(mark)-1:]
	}
	return a
}

// simple is the HTTP API simple response.
func (h *Handler) simple(d Decision) []byte {
	if d.Status == RevokeSelf {
		return simpleRevokeSelf(d)
	}
	if d.Status != Valid {
		return h.simpleDenied
	}
	p := &d.e.answers.simple
	if b := p.Load(); b != nil {
		return *b
	}
	b := simpleAllow(d.e)
	p.Store(&b)
	return b
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
