package localapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"

	"github.com/aws/aws-lambda-go/events"
)

// gatewayResponse is an answer a REST API makes itself, one of API
// Gateway's gateway response types, with its default status code
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html)
// and default body. AWS documents the statuses and, for most types, the
// message only in prose, not the body byte for byte; each body below says
// where it comes from. The default body template is
// {"message":$context.error.messageString}, as API Gateway reports it for an
// API's default gateway responses (GetGatewayResponses) and LocalStack,
// checked against AWS, reproduces
// (localstack/localstack, localstack-core/localstack/services/apigateway/next_gen/execute_api/gateway_response.py).
type gatewayResponse int

const (
	// MISSING_AUTHENTICATION_TOKEN, 403: a path outside the stage or a
	// resource and method the API does not have. Body documented: "if you
	// attempt to call an operation on an undefined API resource, you receive
	// an error response with the { "message": "Missing Authentication Token" }
	// message"
	// (https://docs.aws.amazon.com/apigateway/latest/developerguide/customize-gateway-responses.html).
	missingAuthenticationToken gatewayResponse = iota + 1
	// UNAUTHORIZED, 401: an identity source missing or empty, or a token
	// not matching its validation expression, both answered without calling
	// the authorizer
	// (https://docs.aws.amazon.com/apigateway/latest/api/API_CreateAuthorizer.html),
	// or the authorizer failing with the error "Unauthorized" (its example
	// functions' "Return a 401 Unauthorized response",
	// https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-use-lambda-authorizer.html).
	// Body: the message in the default template; not documented byte for
	// byte.
	unauthorized
	// ACCESS_DENIED, 403: the authorizer's policy denies the methodArn,
	// explicitly. The text is AWS's
	// (https://repost.aws/knowledge-center/api-gateway-403-error-lambda-authorizer);
	// that page prints it under "message", but deployed REST APIs answer
	// with the key "Message", as LocalStack's tests against AWS assert
	// (tests/aws/services/apigateway, REQUEST authorizer on API Gateway v1):
	// the key's case is not documented.
	accessDeniedExplicit
	// ACCESS_DENIED, 403: no statement of the policy allows the methodArn
	// (an implicit deny). Text and key as for accessDeniedExplicit.
	accessDeniedImplicit
	// INVALID_API_KEY, 403: a method that requires an API key got none, or
	// one of no usage plan of the stage ("the caller receives a 403
	// Forbidden response",
	// https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-api-key-source.html).
	// Body: the default template with "Forbidden"; not documented byte for
	// byte.
	invalidAPIKey
	// THROTTLED, 429: the key's token bucket is empty ("429 Too Many
	// Requests",
	// https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-throttling.html).
	// Body: the default template with that text; not documented byte for
	// byte.
	throttledRequest
	// QUOTA_EXCEEDED, 429: the key's quota is used up for the period ("429
	// Too Many Requests" or "Limit Exceeded",
	// https://repost.aws/knowledge-center/api-gateway-429-limit). Body: the
	// default template with "Limit Exceeded"; not documented byte for byte.
	quotaExceeded
	// AUTHORIZER_CONFIGURATION_ERROR, 500: the authorizer failed otherwise,
	// or its answer is not a policy (or has an object or array in its
	// context, which "you cannot set",
	// https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-lambda-authorizer-output.html).
	// Body: {"message":null}, as callers of REST APIs report it; not
	// documented.
	authorizerConfigurationError
	// REQUEST_TOO_LARGE, 413: a body over the 10 MB payload quota
	// (https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html).
	// Body: the default template with HTTP's reason phrase; not documented.
	requestTooLarge
	// The Lambda proxy integration failed: the function failed or answered
	// in another format than the proxy output, for which "API Gateway
	// returns a 502 Bad Gateway error response"
	// (https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html#api-gateway-simple-proxy-for-lambda-output-format).
	// Body as AWS prints it, {"message": "Internal server error"}
	// (https://repost.aws/knowledge-center/api-gateway-internal-server-error).
	badGateway
	// INTEGRATION_TIMEOUT, 504: the integration took longer than the REST
	// API's 29 seconds. Body: {"message": "Endpoint request timed out"}, as
	// callers report it; AWS names the error "504 Endpoint request timed
	// out" (https://repost.aws/knowledge-center/api-gateway-5xx-error) but
	// does not document the body.
	integrationTimeout
)

func (g gatewayResponse) status() int {
	switch g {
	case missingAuthenticationToken, accessDeniedExplicit, accessDeniedImplicit, invalidAPIKey:
		return http.StatusForbidden
	case unauthorized:
		return http.StatusUnauthorized
	case throttledRequest, quotaExceeded:
		return http.StatusTooManyRequests
	case requestTooLarge:
		return http.StatusRequestEntityTooLarge
	case badGateway:
		return http.StatusBadGateway
	case integrationTimeout:
		return http.StatusGatewayTimeout
	}
	return http.StatusInternalServerError
}

func (g gatewayResponse) body() string {
	switch g {
	case missingAuthenticationToken:
		return `{"message":"Missing Authentication Token"}`
	case unauthorized:
		return `{"message":"Unauthorized"}`
	case accessDeniedExplicit:
		return `{"Message":"User is not authorized to access this resource with an explicit deny"}`
	case accessDeniedImplicit:
		return `{"Message":"User is not authorized to access this resource"}`
	case invalidAPIKey:
		return `{"message":"Forbidden"}`
	case throttledRequest:
		return `{"message":"Too Many Requests"}`
	case quotaExceeded:
		return `{"message":"Limit Exceeded"}`
	case requestTooLarge:
		return `{"message":"Request Entity Too Large"}`
	case badGateway:
		return `{"message": "Internal server error"}`
	case integrationTimeout:
		return `{"message": "Endpoint request timed out"}`
	}
	return `{"message":null}`
}

// write sends the gateway response.
func (g gatewayResponse) write(w http.ResponseWriter) {
	body := g.body()
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(g.status())
	_, _ = io.WriteString(w, body)
}

// writeProxyResponse turns a Lambda proxy integration's answer (payload
// 1.0) into the HTTP response. The answer must be the proxy output format,
// {statusCode, headers, multiValueHeaders, body, isBase64Encoded}: statusCode
// is required (unlike payload 2.0, a REST API does not take a bare JSON
// body), and "if you specify values for both headers and
// multiValueHeaders, API Gateway merges them into a single list. If the
// same key-value pair is specified in both, only the values from
// multiValueHeaders will appear in the merged list"
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html#api-gateway-simple-proxy-for-lambda-output-format).
// Nothing is written when the answer is malformed.
func writeProxyResponse(w http.ResponseWriter, out []byte) error {
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(out, &probe); err != nil {
		return fmt.Errorf("answer is not a JSON object: %w", err)
	}
	if probe["statusCode"] == nil {
		return errors.New("answer has no statusCode")
	}
	var resp events.APIGatewayProxyResponse
	if err := json.Unmarshal(out, &resp); err != nil {
		return err
	}
	body, err := proxyBody(resp.StatusCode, resp.Body, resp.IsBase64Encoded)
	if err != nil {
		return err
	}
	h := w.Header()
	// Without a Content-Type, Go would sniff one; the function named none.
	h["Content-Type"] = nil
	for k, vs := range resp.MultiValueHeaders {
		for _, v := range vs {
			h.Add(k, v)
		}
	}
	for k, v := range resp.Headers {
		if !slices.Contains(h.Values(k), v) {
			h.Add(k, v)
		}
	}
	writeProxyBody(w, resp.StatusCode, body)
	return nil
}
