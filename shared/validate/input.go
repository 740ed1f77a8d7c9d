package validate

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/keymint/keymint/shared/policy"
)

// shape is which kind of event a payload is (docs/deploy.md "What ValidateFunction answers").
type shape uint8

const (
	shapeUnknown shape = iota
	shapeHTTP          // HTTP API payload 2.0 authorizer event
	shapeToken         // REST API TOKEN authorizer event
	shapeRequest       // REST API REQUEST authorizer event
	shapeDirect        // direct invoke {"token", "route", "sourceIp"}
)

var shapeNames = [...]string{"unknown", "http-v2", "rest-token", "rest-request", "direct"}

func (s shape) String() string { return shapeNames[s] }

// input is what an event asks, whichever path read it: the Request to
// decide and what the answer needs.
type input struct {
	shape shape
	req   Request
	// arnText is the methodArn (REST) or routeArn (HTTP API); arn is it
	// parsed, for REST events, where a bad one is refused before deciding.
	arnText string
	arn     policy.MethodARN
	// badRoute: a direct invoke's route is not "METHOD /path", or its
	// path holds a '?' or '#'.
	badRoute bool
	// management: an HTTP API event from keymint's own management API,
	// which alone accepts signed-in people's ID tokens.
	management bool
}

// stageVariable and managementStage mark keymint's management API: its
// stage sets the variable (template.yaml), and API Gateway passes stage
// variables in the authorizer's event
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-lambda-authorizer.html).
// A customer's API that uses validate as its authorizer does not set it, so
// a person's ID token opens none of its routes.
const (
	stageVariable   = "keymint"
	managementStage = "management"
)

// errBadARN: a REST event whose methodArn does not parse is refused as
// Unauthorized without a decision.
var errBadARN = errors.New("validate: bad methodArn")

// shapeOf tells the event kinds apart from the fields that mark them.
func shapeOf(version, typ, methodArn string, hasAuthToken, hasToken bool) shape {
	switch {
	case version == "2.0":
		return shapeHTTP
	case typ == "TOKEN" || hasAuthToken:
		return shapeToken
	case typ == "REQUEST" && methodArn != "":
		return shapeRequest
	case hasToken:
		return shapeDirect
	}
	return shapeUnknown
}

// input builds the fast path's input; ok is false when only encoding/json
// can read this event as the event types would.
func (e *event) input(in *input) (ok bool, err error) {
	in.shape = shapeOf(e.version, e.typ, e.methodArn, e.hasAuthToken, e.hasToken)
	switch in.shape {
	case shapeHTTP:
		if e.identityNotArray {
			return false, nil
		}
		httpInput(in, e.identity0, e.authHeader, e.routeKey, e.method, e.rawPath, e.stage, e.sourceIP, e.routeArn, e.param)
		in.management = e.stageKeymint == managementStage
		return true, nil
	case shapeToken:
		return true, tokenInput(in, e.authToken, e.methodArn)
	case shapeRequest:
		return true, requestInput(in, e.authHeader, e.mvAuth, e.methodArn, e.httpMethod, e.resource, e.identitySourceIP, e.param)
	case shapeDirect:
		directInput(in, e.token, e.route, e.directIP)
	}
	return true, nil
}

// lookup is a path parameter by name ("" when absent).
type lookup = func(name string) string

func mapLookup(m map[string]string) lookup {
	return func(name string) string { return m[name] }
}

func httpInput(in *input, identity0, authHeader, routeKey, method, rawPath, stage, sourceIP, routeArn string, params lookup) {
	raw := identity0
	if raw == "" {
		raw = authHeader
	}
	in.req = Request{Token: bearer(raw), SourceIP: sourceIP}
	in.req.Method, in.req.Route, in.req.Path = httpRoute(routeKey, method, rawPath, stage, params)
	in.arnText = routeArn
}

// httpRoute is the method and the path as the API's routes see it. A named
// route's key ("GET /orders/{id}/items") gives its template, and the path
// is that template's segments with each parameter's value as one segment
// (policy.Routed), so neither a named stage nor a custom domain's base
// path in rawPath hides the route, and no character of a value can cut or
// reshape it. A $default (catch-all) route has no template: its raw path
// is checked as a path, a named stage's prefix removed. rawPath is whatever
// API Gateway put there (it may be percent-decoded, even cut short at a
// decoded '?', docs/deploy.md); it is also the text logged.
func httpRoute(routeKey, method, rawPath, stage string, params lookup) (string, policy.Path, string) {
	routeMethod, tmpl, routed := strings.Cut(routeKey, " ")
	if method == "" {
		method = routeMethod
	}
	path := policy.StripStage(rawPath, stage)
	if routed {
		return method, policy.Routed(tmpl, params), path
	}
	return method, policy.Raw(path), path
}

// tokenInput: the methodArn's resource is the path below the stage, with
// no stage and no custom domain base path. It is all a TOKEN authorizer
// gets, and is checked as a path (policy.Raw): no character in it starts a
// query.
func tokenInput(in *input, authToken, methodArn string) error {
	arn, err := policy.ParseMethodARN(methodArn)
	if err != nil {
		return errBadARN
	}
	in.arnText, in.arn = methodArn, arn
	path := resourcePath(methodArn, arn)
	in.req = Request{Token: bearer(authToken), Method: arn.Method, Path: path, Route: policy.Raw(path)}
	return nil
}

// resourcePath is "/" + arn.Resource without building it: the resource is
// the tail of the ARN text, after a slash.
func resourcePath(text string, arn policy.MethodARN) string {
	if arn.Resource == "" {
		return "/"
	}
	return text[len(text)-len(arn.Resource)-1:]
}

// requestInput: the route as the REST API's resources see it, the resource
// template ("/orders/{id}") with its parameters as segments (`path`
// carries a custom domain's base path), else the methodArn's
// stage-relative resource as a path.
func requestInput(in *input, authHeader, mvAuth, methodArn, httpMethod, resource, sourceIP string, params lookup) error {
	arn, err := policy.ParseMethodARN(methodArn)
	if err != nil {
		return errBadARN
	}
	in.arnText, in.arn = methodArn, arn
	raw := authHeader
	if raw == "" {
		raw = mvAuth
	}
	method := httpMethod
	if method == "" {
		method = arn.Method
	}
	path := resourcePath(methodArn, arn)
	route := policy.Raw(path)
	if resource != "" {
		route = policy.Routed(resource, params)
	}
	in.req = Request{Token: bearer(raw), Method: method, Path: path, Route: route, SourceIP: sourceIP}
	return nil
}

// directInput: a direct invoke's route is "METHOD /path", the path checked
// as one (policy.DirectRoute); one that is not, or holds a '?' or '#', is
// refused as malformed rather than cut.
func directInput(in *input, tok, route, sourceIP string) {
	in.req = Request{Token: strings.TrimSpace(tok), SourceIP: sourceIP}
	if route == "" {
		return
	}
	route = strings.TrimSpace(route)
	method, path, ok := policy.DirectRoute(route)
	if !ok {
		in.badRoute = true
		return
	}
	in.req.Method, in.req.Route = method, path
	in.req.Path = route[len(method)+1:]
}

// routeAllowed reports whether scopes (and, for the token with id self,
// the catalogue's self routes) open the request's route: its Route, or
// for a Request built by hand without one, its Path read as policy.Raw
// reads it.
func (r *Request) routeAllowed(cat *policy.Catalogue, scopes []string, self string) bool {
	if !r.Route.IsZero() {
		return cat.AllowsPath(scopes, self, r.Method, &r.Route)
	}
	return cat.AllowsFor(scopes, self, r.Method, r.Path)
}

// usesAPI reports whether one of the token's API scopes (apiScopes) opens
// the request's route: a use of the API its owner's plan meters, not of
// keymint's management API, which stays open to an owner over its quota.
func (r *Request) usesAPI(cat *policy.Catalogue, apiScopes []string) bool {
	if len(apiScopes) == 0 {
		return false
	}
	if r.Route.IsZero() {
		p := policy.Raw(r.Path)
		return cat.ScopesOpen(apiScopes, r.Method, &p)
	}
	return cat.ScopesOpen(apiScopes, r.Method, &r.Route)
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

// The encoding/json path: the fields the event types of aws-lambda-go's
// events package name, decoded the way those types decode them. Fields
// validate does not use are not decoded, so a malformed one is ignored on
// both paths alike.
type (
	probeEvent struct {
		Version            string  `json:"version"`
		Type               string  `json:"type"`
		MethodArn          string  `json:"methodArn"`
		AuthorizationToken *string `json:"authorizationToken"`
		Token              *string `json:"token"`
	}
	httpEvent struct { // events.APIGatewayV2CustomAuthorizerV2Request
		IdentitySource []string          `json:"identitySource"`
		Headers        map[string]string `json:"headers"`
		RouteKey       string            `json:"routeKey"`
		RawPath        string            `json:"rawPath"`
		RouteArn       string            `json:"routeArn"`
		PathParameters map[string]string `json:"pathParameters"`
		StageVariables map[string]string `json:"stageVariables"`
		RequestContext struct {
			Stage string `json:"stage"`
			HTTP  struct {
				Method   string `json:"method"`
				SourceIP string `json:"sourceIp"`
			} `json:"http"`
		} `json:"requestContext"`
	}
	tokenEvent struct { // events.APIGatewayCustomAuthorizerRequest
		AuthorizationToken string `json:"authorizationToken"`
		MethodArn          string `json:"methodArn"`
	}
	requestEvent struct { // events.APIGatewayCustomAuthorizerRequestTypeRequest
		MethodArn         string              `json:"methodArn"`
		Resource          string              `json:"resource"`
		HTTPMethod        string              `json:"httpMethod"`
		Headers           map[string]string   `json:"headers"`
		MultiValueHeaders map[string][]string `json:"multiValueHeaders"`
		PathParameters    map[string]string   `json:"pathParameters"`
		RequestContext    struct {
			Identity struct {
				SourceIP string `json:"sourceIp"`
			} `json:"identity"`
		} `json:"requestContext"`
	}
)

// decodeInput is the encoding/json path, for events the fast path declines.
func decodeInput(payload []byte, in *input) error {
	var p probeEvent
	if err := json.Unmarshal(payload, &p); err != nil {
		return fmt.Errorf("validate: unreadable event: %w", err)
	}
	in.shape = shapeOf(p.Version, p.Type, p.MethodArn, p.AuthorizationToken != nil, p.Token != nil)
	switch in.shape {
	case shapeHTTP:
		var ev httpEvent
		if err := json.Unmarshal(payload, &ev); err != nil {
			return fmt.Errorf("validate: unreadable HTTP API event: %w", err)
		}
		identity0 := ""
		if len(ev.IdentitySource) > 0 {
			identity0 = ev.IdentitySource[0]
		}
		httpInput(in, identity0, header(ev.Headers, "authorization"), ev.RouteKey, ev.RequestContext.HTTP.Method,
			ev.RawPath, ev.RequestContext.Stage, ev.RequestContext.HTTP.SourceIP, ev.RouteArn, mapLookup(ev.PathParameters))
		in.management = ev.StageVariables[stageVariable] == managementStage
	case shapeToken:
		var ev tokenEvent
		if err := json.Unmarshal(payload, &ev); err != nil {
			return fmt.Errorf("validate: unreadable TOKEN event: %w", err)
		}
		return tokenInput(in, ev.AuthorizationToken, ev.MethodArn)
	case shapeRequest:
		var ev requestEvent
		if err := json.Unmarshal(payload, &ev); err != nil {
			return fmt.Errorf("validate: unreadable REQUEST event: %w", err)
		}
		mv := ""
		if vs := ev.MultiValueHeaders["Authorization"]; len(vs) > 0 {
			mv = vs[0]
		}
		return requestInput(in, header(ev.Headers, "authorization"), mv, ev.MethodArn, ev.HTTPMethod, ev.Resource,
			ev.RequestContext.Identity.SourceIP, mapLookup(ev.PathParameters))
	case shapeDirect:
		var req DirectRequest
		if err := json.Unmarshal(payload, &req); err != nil {
			return fmt.Errorf("validate: unreadable direct request: %w", err)
		}
		directInput(in, req.Token, req.Route, req.SourceIP)
	}
	return nil
}

func header(h map[string]string, name string) string {
	for k, v := range h {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}
