// Package localapi serves the APIs of template.yaml on localhost the way
// API Gateway would, as `sam local start-api` does. Each API is served
// alone, as API Gateway gives each API its own hostname (the local stack
// gives each its own port), with its id in every event and ARN (APIID) and
// its stage variables in every authorizer and integration event, as API
// Gateway puts them there.
//
// A Server is an HTTP API (server.go): payload format 2.0, route matching,
// the Lambda authorizer with API Gateway's answers (401, 403, 500), and
// real events.APIGatewayV2HTTPRequest events.
//
// A RestServer is the one stage of a REST API (rest.go): its URLs begin
// with the stage name; its Lambda authorizers (TOKEN and REQUEST) get their
// documented input, and their IAM policy is evaluated against the
// methodArn (iam.go); methods that require an API key take it from the
// X-API-Key header or, with the key source AUTHORIZER, from the
// authorizer's usageIdentifierKey, and meter it by the usage plan of the
// stage the key is attached to (usageplan.go: the control plane behind the
// UsagePlans interface says which, the template's plans say how much);
// the Lambda proxy integration gets payload 1.0
// (events.APIGatewayProxyRequest). Every refusal is API Gateway's gateway
// response, status and body (restresponse.go).
//
// The caller's source IP (requestContext.http.sourceIp or
// requestContext.identity.sourceIp, and the X-Forwarded-For header the
// functions see) is the TCP peer. X-Forwarded-For is read only when that
// peer is one of the configuration's TrustedProxies, and then only up to
// the first hop that is not itself trusted; see SourceIP.
package localapi
