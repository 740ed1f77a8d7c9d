package localapi

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/aws/aws-lambda-go/events"
	"github.com/keymint/keymint/internal/localrt"
)

// authorized is what a REST API's Lambda authorizer let through.
type authorized struct {
	granted     bool
	principalID string
	context     map[string]any
	usageKey    string // usageIdentifierKey: the API key, with key source AUTHORIZER
}

// restAnswer is a REST API Lambda authorizer's output: principalId, an IAM
// policy, a context of string, number and boolean values, and
// usageIdentifierKey, "one of the usage plan's API keys" when the API's key
// source is AUTHORIZER
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-lambda-authorizer-output.html).
type restAnswer struct {
	iamResponse
	UsageIdentifierKey string `json:"usageIdentifierKey"`
}

// authorize runs the route's Lambda authorizer
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-use-lambda-authorizer.html).
// It returns what the authorizer granted, or the gateway response refusing
// the request:
//
//   - a TOKEN authorizer's token header missing or empty, or not matching
//     its validation expression: 401, without calling it; a REQUEST
//     authorizer's identity sources are checked so only when its results
//     are cached (ReauthorizeEvery > 0): "If you turn on authorization
//     caching for a REQUEST authorizer, API Gateway verifies that all
//     specified identity sources are present in the request" (there, and
//     https://docs.aws.amazon.com/apigateway/latest/api/API_CreateAuthorizer.html);
//     locally nothing is cached;
//   - the authorizer failing with the error "Unauthorized": 401; failing
//     otherwise, or answering something that is not a policy: 500;
//   - a policy that does not allow execute-api:Invoke on the methodArn:
//     403, explicit or implicit (IAM's evaluation, iamResponse.decide).
func (s *RestServer) authorize(ctx context.Context, rt route, r *http.Request, in *restRequest) (authorized, gatewayResponse) {
	az := s.authorizers[rt.Authorizer]
	arn := MethodArn(s.apiID, s.stage, in.method, in.path)
	var ev any
	switch az.PayloadType {
	case "TOKEN":
		token := r.Header.Get(az.IdentityHeaders[0])
		if token == "" {
			return authorized{}, unauthorized
		}
		if re := s.validation[az.Name]; re != nil && !re.MatchString(token) {
			return authorized{}, unauthorized
		}
		ev = events.APIGatewayCustomAuthorizerRequest{Type: "TOKEN", AuthorizationToken: token, MethodArn: arn}
	default:
		if az.ReauthorizeEvery > 0 && !s.hasIdentity(r, in, az.IdentityHeaders, az.IdentityQueryStrings, az.IdentityStageVariables) {
			return authorized{}, unauthorized
		}
		ev = s.requestEvent(in, arn)
	}
	payload, err := json.Marshal(ev)
	if err != nil {
		return authorized{}, authorizerConfigurationError
	}
	out, err := localrt.Invoke(ctx, s.functions[az.Function], payload)
	if err != nil {
		var fe *localrt.FunctionError
		if errors.As(err, &fe) && fe.Message == "Unauthorized" {
			return authorized{}, unauthorized
		}
		logFunctionError(s.log, az.Function, err)
		return authorized{}, authorizerConfigurationError
	}
	var ans restAnswer
	if err := json.Unmarshal(out, &ans); err != nil || ans.PolicyDocument.Statement == nil {
		s.log.Error("authorizer answer is not an IAM policy response", "function", az.Function)
		return authorized{}, authorizerConfigurationError
	}
	for k, v := range ans.Context {
		switch v.(type) {
		case map[string]any, []any:
			s.log.Error("authorizer context value is an object or array", "function", az.Function, "key", k)
			return authorized{}, authorizerConfigurationError
		}
	}
	switch allowed, explicit := ans.decide(arn); {
	case explicit:
		return authorized{}, accessDeniedExplicit
	case !allowed:
		return authorized{}, accessDeniedImplicit
	}
	return authorized{granted: true, principalID: ans.PrincipalID, context: ans.Context, usageKey: ans.UsageIdentifierKey}, 0
}

// hasIdentity reports whether every named header, query string and stage
// variable is present and not empty.
func (s *RestServer) hasIdentity(r *http.Request, in *restRequest, headers, queries, stageVars []string) bool {
	for _, h := range headers {
		if r.Header.Get(h) == "" {
			return false
		}
	}
	for _, q := range queries {
		if in.query[q] == "" {
			return false
		}
	}
	for _, v := range stageVars {
		if s.stageVars[v] == "" {
			return false
		}
	}
	return true
}
