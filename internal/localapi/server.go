package localapi

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"
	"github.com/keymint/keymint/internal/localrt"
	"github.com/keymint/keymint/internal/stack"
)

// MaxBodyBytes is API Gateway's HTTP API payload limit.
const MaxBodyBytes = 10 << 20

// IntegrationTimeout is an HTTP API's maximum integration timeout.
const IntegrationTimeout = 30 * time.Second

const (
	accountID = "123456789012"
	stage     = "$default"
	region    = "us-east-1"
)

// APIID is the id the local stack gives the HttpApi of that logical id, in
// requestContext.apiId and route ARNs. API Gateway's ids are 10 lower-case
// letters and digits; a lower-cased logical id is the same kind of string
// and says which API it is (keymintapi, exampleapi).
func APIID(logicalID string) string { return strings.ToLower(logicalID) }

// ErrConfig marks a server that cannot be built from its Config.
var ErrConfig = errors.New("localapi: bad configuration")

// Config is what New needs.
type Config struct {
	API *stack.HTTPAPI
	// Functions maps logical ids to the functions to call; tests may hand in
	// fakes. Every route's function and authorizer must be present.
	Functions map[string]localrt.Target
	Log       *slog.Logger // nil: slog.Default()
	Now       func() time.Time
	// IntegrationTimeout is how long the API waits for a function; 0 means
	// HTTP APIs' fixed 30 seconds.
	IntegrationTimeout time.Duration
	// TrustedProxies are the peers whose X-Forwarded-For is believed (see
	// SourceIP and ParseTrustedProxies). Empty: trust nobody, the source IP
	// is always the TCP peer.
	TrustedProxies []netip.Prefix
}

// Server is an http.Handler standing in for API Gateway.
type Server struct {
	apiID       string
	routes      []route
	authorizers map[string]*stack.Authorizer
	functions   map[string]localrt.Target
	log         *slog.Logger
	now         func() time.Time
	trusted     []netip.Prefix
	// stageVars is the stage's variables, in every event (nil: none).
	stageVars map[string]string

	integrationTimeout time.Duration
}

// New checks cfg and returns the server.
func New(cfg Config) (*Server, error) {
	if cfg.API == nil {
		return nil, fmt.Errorf("%w: no API", ErrConfig)
	}
	s := &Server{
		apiID:       APIID(cfg.API.LogicalID),
		authorizers: cfg.API.Authorizers,
		functions:   cfg.Functions,
		log:         cfg.Log,
		now:         cfg.Now,
	}
	if len(cfg.API.StageVariables) > 0 {
		s.stageVars = maps.Clone(cfg.API.StageVariables)
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.integrationTimeout = cfg.IntegrationTimeout
	if s.integrationTimeout <= 0 {
		s.integrationTimeout = IntegrationTimeout
	}
	for _, p := range cfg.TrustedProxies {
		np, err := normalizePrefix(p)
		if err != nil {
			return nil, fmt.Errorf("%w: trusted proxy %s: %v", ErrConfig, p, err)
		}
		s.trusted = append(s.trusted, np)
	}
	for _, r := range cfg.API.Routes {
		if _, ok := cfg.Functions[r.Function]; !ok {
			return nil, fmt.Errorf("%w: route %s: no function %s", ErrConfig, r.Key(), r.Function)
		}
		if r.Authorizer != "" {
			az, ok := cfg.API.Authorizers[r.Authorizer]
			if !ok {
				return nil, fmt.Errorf("%w: route %s: no authorizer %s", ErrConfig, r.Key(), r.Authorizer)
			}
			if az.PayloadFormatVersion != "2.0" {
				return nil, fmt.Errorf("%w: authorizer %s: only payload format 2.0 is served locally, not %q", ErrConfig, az.Name, az.PayloadFormatVersion)
			}
			if _, ok := cfg.Functions[az.Function]; !ok {
				return nil, fmt.Errorf("%w: authorizer %s: no function %s", ErrConfig, az.Name, az.Function)
			}
		}
		s.routes = append(s.routes, compile(r))
	}
	return s, nil
}

// message is API Gateway's own error body.
func writeMessage(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = fmt.Fprintf(w, "{\"message\":%q}\n", msg)
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := s.now()
	reqID := requestID()
	w.Header().Set("Apigw-Requestid", reqID)
	rec := &statusRecorder{ResponseWriter: w}
	routeKey := "-"
	defer func() {
		// Never the Authorization header or the query: either may carry a token.
		s.log.Info("request", "method", r.Method, "path", r.URL.EscapedPath(), "route", routeKey,
			"status", rec.status, "ms", time.Since(start).Milliseconds(), "requestId", reqID)
	}()

	// Routes, path parameters, rawPath and the route ARN all see the path
	// percent-decoded, once, as API Gateway passes them: "API Gateway
	// decodes URL-encoded request parameters before passing them to your
	// backend integration"
	// (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-routes.html);
	// what AWS does not document there, AWS's own local emulator shows:
	// `sam local start-api` routes on, and puts in rawPath,
	// requestContext.http.path and the authorizer's ARN, the decoded path
	// (github.com/aws/aws-sam-cli, samcli/local/apigw/event_constructor.py
	// and local_apigw_service.py, from Flask's request.path). Reports of
	// live HTTP APIs say the same, and that rawPath is even cut at a decoded
	// '?'; validate is safe either way (docs/deploy.md), and this stack does
	// not cut.
	rt, params, ok := find(s.routes, r.Method, r.URL.Path)
	if !ok {
		writeMessage(rec, http.StatusNotFound, "Not Found")
		return
	}
	routeKey = rt.Key()
	body, err := io.ReadAll(http.MaxBytesReader(rec, r.Body, MaxBodyBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeMessage(rec, http.StatusRequestEntityTooLarge, "Request Entity Too Large")
			return
		}
		writeMessage(rec, http.StatusBadRequest, "Bad Request")
		return
	}

	in := s.newRequest(r, rt, params, reqID, start)
	var authCtx map[string]any
	if rt.Authorizer != "" {
		var status int
		authCtx, status = s.authorize(r.Context(), rt, r, in)
		if status != 0 {
			writeMessage(rec, status, http.StatusText(status))
			return
		}
	}

	ev := events.APIGatewayV2HTTPRequest{
		Version:               "2.0",
		RouteKey:              rt.Key(),
		RawPath:               in.rawPath,
		RawQueryString:        r.URL.RawQuery,
		Cookies:               in.cookies,
		Headers:               in.headers,
		QueryStringParameters: in.query,
		PathParameters:        in.params,
		StageVariables:        in.stageVars,
		RequestContext:        in.reqCtx,
	}
	if authCtx != nil {
		ev.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{Lambda: authCtx}
	}
	if len(body) > 0 {
		if utf8.Valid(body) {
			ev.Body = string(body)
		} else {
			ev.Body = base64.StdEncoding.EncodeToString(body)
			ev.IsBase64Encoded = true
		}
	}
	payload, err := json.Marshal(ev)
	if err != nil {
		writeMessage(rec, http.StatusInternalServerError, "Internal Server Error")
		return
	}
	ictx, cancel := context.WithTimeout(r.Context(), s.integrationTimeout)
	defer cancel()
	out, err := localrt.Invoke(ictx, s.functions[rt.Function], payload)
	if err != nil {
		s.logFunctionError(rt.Function, err)
		// A function that fails, times out included, is a 500; 503 is the
		// HTTP API's own integration timeout
		// (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-quotas.html).
		if !localrt.IsTimeout(err) && errors.Is(ictx.Err(), context.DeadlineExceeded) {
			writeMessage(rec, http.StatusServiceUnavailable, "Service Unavailable")
			return
		}
		writeMessage(rec, http.StatusInternalServerError, "Internal Server Error")
		return
	}
	if err := writeResponse(rec, out); err != nil {
		s.log.Error("malformed function response", "function", rt.Function, "err", err)
		writeMessage(rec, http.StatusInternalServerError, "Internal Server Error")
	}
}

func (s *Server) logFunctionError(fn string, err error) { logFunctionError(s.log, fn, err) }

// logFunctionError logs how the function fn failed.
func logFunctionError(log *slog.Logger, fn string, err error) {
	var fe *localrt.FunctionError
	if errors.As(err, &fe) {
		log.Error("function failed", "function", fn, "errorType", fe.Type, "errorMessage", fe.Message)
		if len(fe.Stack) > 0 {
			log.Error("panic", "function", fn, "stack", string(fe.Stack))
		}
		return
	}
	log.Error("function failed", "function", fn, "err", err)
}

// request holds the parts shared by the authorizer and integration events.
type request struct {
	rawPath string
	headers map[string]string
	query   map[string]string
	cookies []string
	params  map[string]string
	// stageVars: the stage's variables. Payload 2.0 carries them in both
	// the authorizer event
	// (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-lambda-authorizer.html)
	// and the integration event
	// (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html),
	// as `stageVariables`. Shared, never written: events are marshalled.
	stageVars map[string]string
	reqCtx    events.APIGatewayV2HTTPRequestContext
}

func (s *Server) newRequest(r *http.Request, rt route, params map[string]string, reqID string, now time.Time) request {
	ip := SourceIP(r, s.trusted)
	in := request{
		rawPath: r.URL.Path, // decoded: see ServeHTTP
		headers: map[string]string{},
	}
	for k, vs := range r.Header {
		name := strings.ToLower(k)
		if name == "cookie" {
			// Payload 2.0 moves cookies into their own field.
			for _, v := range vs {
				for _, c := range strings.Split(v, ";") {
					if c = strings.TrimSpace(c); c != "" {
						in.cookies = append(in.cookies, c)
					}
				}
			}
			continue
		}
		in.headers[name] = strings.Join(vs, ",")
	}
	in.headers["host"] = r.Host
	in.headers["x-forwarded-for"] = ip
	in.headers["x-forwarded-proto"] = "http"
	if _, port, err := net.SplitHostPort(r.Host); err == nil {
		in.headers["x-forwarded-port"] = port
	}
	if q, err := url.ParseQuery(r.URL.RawQuery); err == nil && len(q) > 0 {
		in.query = make(map[string]string, len(q))
		for k, vs := range q {
			in.query[k] = strings.Join(vs, ",")
		}
	}
	if len(params) > 0 {
		in.params = params
	}
	in.stageVars = s.stageVars
	host := r.Host
	if h, _, err := net.SplitHostPort(r.Host); err == nil {
		host = h
	}
	prefix, _, _ := strings.Cut(host, ".")
	in.reqCtx = events.APIGatewayV2HTTPRequestContext{
		RouteKey:     rt.Key(),
		AccountID:    accountID,
		Stage:        stage,
		RequestID:    reqID,
		APIID:        s.apiID,
		DomainName:   host,
		DomainPrefix: prefix,
		Time:         now.UTC().Format("02/Jan/2006:15:04:05 -0700"),
		TimeEpoch:    now.UnixMilli(),
		HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{
			Method:    r.Method,
			Path:      in.rawPath,
			Protocol:  r.Proto,
			SourceIP:  ip,
			UserAgent: r.UserAgent(),
		},
	}
	return in
}

// authorize runs the route's Lambda authorizer. It returns the context to
// pass downstream, or the status API Gateway would answer with instead.
func (s *Server) authorize(ctx context.Context, rt route, r *http.Request, in request) (map[string]any, int) {
	az := s.authorizers[rt.Authorizer]
	var identity []string
	for _, h := range az.IdentityHeaders {
		v := strings.Join(r.Header.Values(h), ",")
		if v == "" {
			// A missing identity source is refused before the authorizer runs.
			return nil, http.StatusUnauthorized
		}
		identity = append(identity, v)
	}
	for _, q := range az.IdentityQueryStrings {
		v, ok := in.query[q]
		if !ok || v == "" {
			return nil, http.StatusUnauthorized
		}
		identity = append(identity, v)
	}
	for _, c := range az.IdentityContext {
		identity = append(identity, contextValue(c, in))
	}
	reqCtx := in.reqCtx
	ev := events.APIGatewayV2CustomAuthorizerV2Request{
		Version:               "2.0",
		Type:                  "REQUEST",
		RouteArn:              RouteArn(s.apiID, r.Method, in.rawPath),
		IdentitySource:        identity,
		RouteKey:              rt.Key(),
		RawPath:               in.rawPath,
		RawQueryString:        r.URL.RawQuery,
		Cookies:               in.cookies,
		Headers:               in.headers,
		QueryStringParameters: in.query,
		RequestContext:        reqCtx,
		PathParameters:        in.params,
		StageVariables:        in.stageVars,
	}
	payload, err := json.Marshal(ev)
	if err != nil {
		return nil, http.StatusInternalServerError
	}
	out, err := localrt.Invoke(ctx, s.functions[az.Function], payload)
	if err != nil {
		// An HTTP API turns any authorizer error into 500, its timeout too;
		// the REST rule that the error "Unauthorized" means 401 does not
		// apply (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-lambda-authorizer.html).
		s.logFunctionError(az.Function, err)
		return nil, http.StatusInternalServerError
	}
	if az.SimpleResponses {
		var resp struct {
			IsAuthorized *bool          `json:"isAuthorized"`
			Context      map[string]any `json:"context"`
		}
		if err := json.Unmarshal(out, &resp); err != nil || resp.IsAuthorized == nil {
			s.log.Error("authorizer answer is not a simple response {isAuthorized, context} although EnableSimpleResponses is true",
				"function", az.Function)
			return nil, http.StatusInternalServerError
		}
		if !*resp.IsAuthorized {
			return nil, http.StatusForbidden
		}
		return nonNil(resp.Context), 0
	}
	var resp iamResponse
	if err := json.Unmarshal(out, &resp); err != nil || resp.PolicyDocument.Statement == nil {
		s.log.Error("authorizer answer is not an IAM policy response", "function", az.Function)
		return nil, http.StatusInternalServerError
	}
	if !resp.allows(ev.RouteArn) {
		return nil, http.StatusForbidden
	}
	return nonNil(resp.Context), 0
}

func nonNil(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

func contextValue(name string, in request) string {
	switch name {
	case "routeKey":
		return in.reqCtx.RouteKey
	case "stage":
		return in.reqCtx.Stage
	case "requestId":
		return in.reqCtx.RequestID
	case "identity.sourceIp":
		return in.reqCtx.HTTP.SourceIP
	case "httpMethod":
		return in.reqCtx.HTTP.Method
	case "path":
		return in.reqCtx.HTTP.Path
	}
	return ""
}

// RouteArn is the execute-api ARN an authorizer sees for a request to the
// API apiID (see APIID).
func RouteArn(apiID, method, rawPath string) string {
	return fmt.Sprintf("arn:aws:execute-api:%s:%s:%s/%s/%s%s", region, accountID, apiID, stage, method, rawPath)
}

// writeResponse turns a payload 2.0 function answer into the HTTP response.
// An answer without statusCode is taken as a JSON body with 200, as API
// Gateway does.
func writeResponse(w http.ResponseWriter, out []byte) error {
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(out, &probe); err != nil || probe["statusCode"] == nil {
		if !json.Valid(out) {
			return errors.New("answer is not JSON")
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(out)
		return nil
	}
	var resp events.APIGatewayV2HTTPResponse
	if err := json.Unmarshal(out, &resp); err != nil {
		return err
	}
	body, err := proxyBody(resp.StatusCode, resp.Body, resp.IsBase64Encoded)
	if err != nil {
		return err
	}
	h := w.Header()
	// Without a Content-Type, Go would sniff one; API Gateway sends none.
	h["Content-Type"] = nil
	for k, v := range resp.Headers {
		h.Set(k, v)
	}
	for k, vs := range resp.MultiValueHeaders {
		for _, v := range vs {
			h.Add(k, v)
		}
	}
	for _, c := range resp.Cookies {
		h.Add("Set-Cookie", c)
	}
	writeProxyBody(w, resp.StatusCode, body)
	return nil
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

// requestID looks like API Gateway's (base64 of random bytes).
func requestID() string {
	id := localrt.RequestID()
	return base64.RawStdEncoding.EncodeToString([]byte(id))[:16] + "="
}

// Routes lists the served route keys, sorted, for start-up output.
func (s *Server) Routes() []string {
	keys := make([]string, 0, len(s.routes))
	for _, r := range s.routes {
		keys = append(keys, r.Key()+" -> "+r.Function)
	}
	slices.Sort(keys)
	return keys
}

// proxyBody is a Lambda proxy answer's body, after the status checks both
// payload formats share: a status API Gateway can send, and a body that
// decodes when it says it is base64.
func proxyBody(status int, body string, b64 bool) ([]byte, error) {
	if status < 100 || status > 599 {
		return nil, fmt.Errorf("statusCode %d", status)
	}
	if !b64 {
		return []byte(body), nil
	}
	out, err := base64.StdEncoding.DecodeString(body)
	if err != nil {
		return nil, fmt.Errorf("isBase64Encoded body: %w", err)
	}
	return out, nil
}

// writeProxyBody sends status and body, the headers already set.
func writeProxyBody(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = io.Copy(w, bytes.NewReader(body))
}
