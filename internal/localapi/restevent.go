package localapi

import (
	"encoding/base64"
	"encoding/json"
	"hash/fnv"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"
)

// restRequest holds what a REST API's authorizer and integration events
// share. Headers and query strings come twice: the last value of each name
// (headers, queryStringParameters) and all of them (multiValueHeaders,
// multiValueQueryStringParameters). AWS documents that the single-value
// member holds single values and the multi-value one every value
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html#api-gateway-simple-proxy-for-lambda-input-format);
// which of several values the single-value member keeps it does not say,
// and this API keeps the last. Header names arrive in Go's canonical form
// (Content-Type), not always as the client spelt them.
type restRequest struct {
	path      string // below the stage, percent-decoded
	resource  string // the route's path, e.g. /orders/{id}
	method    string
	headers   map[string]string
	mvHeaders map[string][]string
	query     map[string]string // nil: no query string
	mvQuery   map[string][]string
	params    map[string]string // nil: no path parameters
	stageVars map[string]string // nil: none
	// headerKey is the X-API-Key header: the API key of an API whose key
	// source is HEADER.
	headerKey string
	// reqCtx is the integration's requestContext, without the authorizer's
	// part.
	reqCtx events.APIGatewayProxyRequestContext
}

func (s *RestServer) newRestRequest(r *http.Request, rt route, path string, params map[string]string, reqID string, now time.Time) *restRequest {
	ip := SourceIP(r, s.trusted)
	in := &restRequest{
		path:      path,
		resource:  rt.Path,
		method:    r.Method,
		headers:   map[string]string{},
		mvHeaders: map[string][]string{},
		stageVars: s.stageVars,
		headerKey: r.Header.Get("X-API-Key"),
	}
	set := func(name string, vs ...string) {
		in.headers[name] = vs[len(vs)-1]
		in.mvHeaders[name] = vs
	}
	for name, vs := range r.Header {
		set(name, vs...)
	}
	// What API Gateway sets itself, as the HTTP APIs do (see Server).
	set("Host", r.Host)
	set("X-Forwarded-For", ip)
	set("X-Forwarded-Proto", "http")
	host := r.Host
	if h, port, err := net.SplitHostPort(r.Host); err == nil {
		host = h
		set("X-Forwarded-Port", port)
	}
	if q, err := url.ParseQuery(r.URL.RawQuery); err == nil && len(q) > 0 {
		in.query, in.mvQuery = map[string]string{}, map[string][]string{}
		for k, vs := range q {
			in.query[k], in.mvQuery[k] = vs[len(vs)-1], vs
		}
	}
	if len(params) > 0 {
		in.params = params
	}
	prefix, _, _ := strings.Cut(host, ".")
	in.reqCtx = events.APIGatewayProxyRequestContext{
		AccountID:         accountID,
		ResourceID:        resourceID(rt.Path),
		Stage:             s.stage,
		DomainName:        host,
		DomainPrefix:      prefix,
		RequestID:         reqID,
		ExtendedRequestID: reqID,
		Protocol:          r.Proto,
		Identity:          events.APIGatewayRequestIdentity{SourceIP: ip, UserAgent: r.UserAgent()},
		ResourcePath:      rt.Path,
		// $context.path holds the stage: /{stage}/root/child
		// (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html).
		Path:             s.Stage() + path,
		HTTPMethod:       r.Method,
		RequestTime:      now.UTC().Format("02/Jan/2006:15:04:05 -0700"),
		RequestTimeEpoch: now.UnixMilli(),
		APIID:            s.apiID,
	}
	return in
}

// resourceID stands in for the id API Gateway gives each resource of a
// REST API (requestContext.resourceId): a short lower-case string, the same
// for every request to the resource.
func resourceID(resource string) string {
	h := fnv.New32a()
	_, _ = h.Write([]byte(resource))
	return strconv.FormatUint(uint64(h.Sum32()), 36)
}

// requestEvent is the REQUEST authorizer's input
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-lambda-authorizer-input.html):
// the request's headers, query strings, path parameters and stage
// variables, and some of its context. The API key is there only when the
// API reads it from the X-API-Key header: with AUTHORIZER, the authorizer
// is where it comes from.
func (s *RestServer) requestEvent(in *restRequest, methodArn string) events.APIGatewayCustomAuthorizerRequestTypeRequest {
	var key string
	if s.keySource == "HEADER" {
		key = in.headerKey
	}
	return events.APIGatewayCustomAuthorizerRequestTypeRequest{
		Type:                            "REQUEST",
		MethodArn:                       methodArn,
		Resource:                        in.resource,
		Path:                            in.path,
		HTTPMethod:                      in.method,
		Headers:                         in.headers,
		MultiValueHeaders:               in.mvHeaders,
		QueryStringParameters:           in.query,
		MultiValueQueryStringParameters: in.mvQuery,
		PathParameters:                  in.params,
		StageVariables:                  in.stageVars,
		RequestContext: events.APIGatewayCustomAuthorizerRequestTypeRequestContext{
			Path:         in.reqCtx.Path,
			AccountID:    accountID,
			ResourceID:   in.reqCtx.ResourceID,
			Stage:        s.stage,
			RequestID:    in.reqCtx.RequestID,
			Identity:     events.APIGatewayCustomAuthorizerRequestTypeRequestIdentity{APIKey: key, SourceIP: in.reqCtx.Identity.SourceIP},
			ResourcePath: in.resource,
			HTTPMethod:   in.method,
			APIID:        s.apiID,
		},
	}
}

// proxyEvent is the Lambda proxy integration's input, payload 1.0
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html#api-gateway-simple-proxy-for-lambda-input-format).
// A Lambda authorizer's principalId and context go in
// requestContext.authorizer: "API Gateway passes the context object from a
// Lambda authorizer directly to the backend Lambda function"
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-lambda-authorizer-output.html).
// A body that is not UTF-8 text is passed base64-encoded.
func (s *RestServer) proxyEvent(in *restRequest, who authorized, body []byte) ([]byte, error) {
	ev := events.APIGatewayProxyRequest{
		Resource:                        in.resource,
		Path:                            in.path,
		HTTPMethod:                      in.method,
		Headers:                         in.headers,
		MultiValueHeaders:               in.mvHeaders,
		QueryStringParameters:           in.query,
		MultiValueQueryStringParameters: in.mvQuery,
		PathParameters:                  in.params,
		StageVariables:                  in.stageVars,
		RequestContext:                  in.reqCtx,
	}
	if who.granted {
		ev.RequestContext.Authorizer = map[string]any{}
		for k, v := range who.context {
			ev.RequestContext.Authorizer[k] = v
		}
		ev.RequestContext.Authorizer["principalId"] = who.principalID
	}
	if len(body) > 0 {
		if utf8.Valid(body) {
			ev.Body = string(body)
		} else {
			ev.Body = base64.StdEncoding.EncodeToString(body)
			ev.IsBase64Encoded = true
		}
	}
	return json.Marshal(ev)
}
