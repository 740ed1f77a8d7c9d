package localapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/netip"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/keymint/keymint/internal/localrt"
	"github.com/keymint/keymint/internal/stack"
)

// RestIntegrationTimeout is a REST API's default integration timeout, 29
// seconds (https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html).
const RestIntegrationTimeout = 29 * time.Second

// RestConfig is what NewRest needs.
type RestConfig struct {
	API *stack.RestAPI
	// Functions maps logical ids to the functions to call; tests may hand in
	// fakes. Every route's function and authorizer must be present.
	Functions map[string]localrt.Target
	// Plans are the template's usage plans (stack.Stack.UsagePlans); those
	// on this API's stage meter its API keys, the others are ignored.
	Plans map[string]*stack.UsagePlan
	// UsagePlans says which usage plan an API key is attached to: API
	// Gateway's control plane. Required when a route requires an API key.
	UsagePlans UsagePlans
	Log        *slog.Logger // nil: slog.Default()
	// Now is the clock of the request times, the token buckets and the quota
	// periods; nil: time.Now.
	Now func() time.Time
	// IntegrationTimeout is how long the API waits for a function; 0 means
	// RestIntegrationTimeout.
	IntegrationTimeout time.Duration
	// TrustedProxies are the peers whose X-Forwarded-For is believed (see
	// SourceIP). Empty: the source IP is always the TCP peer.
	TrustedProxies []netip.Prefix
}

// RestServer is an http.Handler standing in for API Gateway serving one
// stage of a REST API.
type RestServer struct {
	apiID     string
	stage     string
	keySource string // HEADER or AUTHORIZER
	routes    []route
	// keyRequired says which routes (by key) require an API key.
	keyRequired map[string]bool
	authorizers map[string]*stack.RestAuthorizer
	// validation compiles each TOKEN authorizer's ValidationExpression.
	validation map[string]*regexp.Regexp
	functions  map[string]localrt.Target
	usagePlans UsagePlans
	meter      *meter
	log        *slog.Logger
	now        func() time.Time
	trusted    []netip.Prefix
	stageVars  map[string]string // nil: none

	integrationTimeout time.Duration
}

// NewRest checks cfg and returns the server.
func NewRest(cfg RestConfig) (*RestServer, error) {
	api := cfg.API
	if api == nil {
		return nil, fmt.Errorf("%w: no API", ErrConfig)
	}
	s := &RestServer{
		apiID:              APIID(api.LogicalID),
		stage:              api.StageName,
		keySource:          api.APIKeySource,
		keyRequired:        map[string]bool{},
		authorizers:        api.Authorizers,
		validation:         map[string]*regexp.Regexp{},
		functions:          cfg.Functions,
		usagePlans:         cfg.UsagePlans,
		log:                cfg.Log,
		now:                cfg.Now,
		integrationTimeout: cfg.IntegrationTimeout,
	}
	if len(api.StageVariables) > 0 {
		s.stageVars = maps.Clone(api.StageVariables)
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.integrationTimeout <= 0 {
		s.integrationTimeout = RestIntegrationTimeout
	}
	s.meter = newMeter(plansOnStage(cfg.Plans, api.LogicalID, api.StageName), s.now())
	for _, p := range cfg.TrustedProxies {
		np, err := normalizePrefix(p)
		if err != nil {
			return nil, fmt.Errorf("%w: trusted proxy %s: %v", ErrConfig, p, err)
		}
		s.trusted = append(s.trusted, np)
	}
	for name, az := range api.Authorizers {
		if _, ok := cfg.Functions[az.Function]; !ok {
			return nil, fmt.Errorf("%w: authorizer %s: no function %s", ErrConfig, name, az.Function)
		}
		if az.PayloadType != "TOKEN" && az.PayloadType != "REQUEST" {
			return nil, fmt.Errorf("%w: authorizer %s: payload type %q", ErrConfig, name, az.PayloadType)
		}
		if az.ValidationExpression != "" {
			re, err := regexp.Compile("^(?:" + az.ValidationExpression + ")$")
			if err != nil {
				return nil, fmt.Errorf("%w: authorizer %s: ValidationExpression: %v", ErrConfig, name, err)
			}
			s.validation[name] = re
		}
	}
	for _, r := range api.Routes {
		if _, ok := cfg.Functions[r.Function]; !ok {
			return nil, fmt.Errorf("%w: route %s: no function %s", ErrConfig, r.Key(), r.Function)
		}
		if r.Authorizer != "" && api.Authorizers[r.Authorizer] == nil {
			return nil, fmt.Errorf("%w: route %s: no authorizer %s", ErrConfig, r.Key(), r.Authorizer)
		}
		if r.APIKeyRequired && cfg.UsagePlans == nil {
			return nil, fmt.Errorf("%w: route %s requires an API key, and no UsagePlans says which plan holds one", ErrConfig, r.Key())
		}
		s.keyRequired[r.Key()] = r.APIKeyRequired
		s.routes = append(s.routes, compile(r.Route))
	}
	return s, nil
}

// Stage is the stage's path prefix, "/" + its name: the API's URLs begin
// with it.
func (s *RestServer) Stage() string { return "/" + s.stage }

// Routes lists the served route keys, sorted, for start-up output.
func (s *RestServer) Routes() []string {
	keys := make([]string, 0, len(s.routes))
	for _, r := range s.routes {
		keys = append(keys, r.Key()+" -> "+r.Function)
	}
	slices.Sort(keys)
	return keys
}

// ServeHTTP answers one request as API Gateway's REST API would: the stage
// and resource, the Lambda authorizer, the API key and its usage plan, then
// the Lambda proxy integration.
func (s *RestServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := s.now()
	reqID := requestID()
	w.Header().Set("X-Amzn-Requestid", reqID)
	rec := &statusRecorder{ResponseWriter: w}
	routeKey, plan := "-", "-"
	defer func() {
		// Never the Authorization header, the query or the API key: any may
		// be a secret.
		s.log.Info("request", "method", r.Method, "path", r.URL.EscapedPath(), "route", routeKey, "usagePlan", plan,
			"status", rec.status, "ms", time.Since(start).Milliseconds(), "requestId", reqID)
	}()

	// The path is percent-decoded, as the HTTP APIs' (see Server.ServeHTTP).
	path, ok := s.inStage(r.URL.Path)
	if !ok {
		missingAuthenticationToken.write(rec)
		return
	}
	rt, params, ok := find(s.routes, r.Method, path)
	if !ok {
		missingAuthenticationToken.write(rec)
		return
	}
	routeKey = rt.Key()
	body, err := io.ReadAll(http.MaxBytesReader(rec, r.Body, MaxBodyBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			requestTooLarge.write(rec)
			return
		}
		writeMessage(rec, http.StatusBadRequest, "Bad Request")
		return
	}
	in := s.newRestRequest(r, rt, path, params, reqID, start)

	var who authorized
	if rt.Authorizer != "" {
		var refused gatewayResponse
		if who, refused = s.authorize(r.Context(), rt, r, in); refused != 0 {
			refused.write(rec)
			return
		}
	}
	if s.keyRequired[rt.Key()] {
		key := in.headerKey
		if s.keySource == "AUTHORIZER" {
			key = who.usageKey
		}
		id, refused := s.meterKey(key, start)
		plan = id
		if refused != 0 {
			refused.write(rec)
			return
		}
		// $context.identity.apiKey: the key of a method that requires one
		// (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html).
		in.reqCtx.Identity.APIKey = key
	}

	payload, err := s.proxyEvent(in, who, body)
	if err != nil {
		badGateway.write(rec)
		return
	}
	ictx, cancel := context.WithTimeout(r.Context(), s.integrationTimeout)
	defer cancel()
	out, err := localrt.Invoke(ictx, s.functions[rt.Function], payload)
	if err != nil {
		logFunctionError(s.log, rt.Function, err)
		// The function failing, its own timeout included, is the proxy
		// integration's 502; the API's own integration timeout is 504.
		if !localrt.IsTimeout(err) && errors.Is(ictx.Err(), context.DeadlineExceeded) {
			integrationTimeout.write(rec)
			return
		}
		badGateway.write(rec)
		return
	}
	if err := writeProxyResponse(rec, out); err != nil {
		s.log.Error("malformed Lambda proxy response", "function", rt.Function, "err", err)
		badGateway.write(rec)
	}
}

// inStage is the path below the stage: a REST API's URLs begin with the
// stage's name (https://{api-id}.execute-api.{region}.amazonaws.com/{stage}/...,
// https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-call-api.html).
func (s *RestServer) inStage(path string) (string, bool) {
	rest, ok := strings.CutPrefix(path, s.Stage())
	switch {
	case !ok:
		return "", false
	case rest == "":
		return "/", true
	case strings.HasPrefix(rest, "/"):
		return rest, true
	}
	return "", false
}

// meterKey finds the usage plan of this stage that holds key and applies
// it. It returns the plan's id (for the log), and the gateway response
// refusing the request, if any.
func (s *RestServer) meterKey(key string, now time.Time) (string, gatewayResponse) {
	if key == "" {
		return "-", invalidAPIKey
	}
	id, ok := s.usagePlans.PlanOf(s.apiID, s.stage, key)
	if !ok {
		return "-", invalidAPIKey
	}
	if !s.meter.onStage(id) {
		s.log.Error("the control plane names a usage plan that is not on this stage", "usagePlan", id, "api", s.apiID, "stage", s.stage)
		return id, invalidAPIKey
	}
	switch s.meter.admit(id, key, now) {
	case throttled:
		return id, throttledRequest
	case quotaUsedUp:
		return id, quotaExceeded
	}
	return id, 0
}

// MethodArn is the execute-api ARN of a request to stage of the REST API
// apiID (see APIID), as its Lambda authorizer sees it:
// arn:aws:execute-api:{region}:{account}:{api-id}/{stage}/{method}/{path without its leading slash}
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-lambda-authorizer-input.html).
func MethodArn(apiID, stage, method, path string) string {
	return fmt.Sprintf("arn:aws:execute-api:%s:%s:%s/%s/%s/%s", region, accountID, apiID, stage, method, strings.TrimPrefix(path, "/"))
}
