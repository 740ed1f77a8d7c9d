package api

import (
	"bytes"
	"context"
	_ "embed"
	"net/http"

	"github.com/aws/aws-lambda-go/events"
)

// openAPI is the API's contract, OpenAPI 3.1: every route, body, answer
// and problem type. The tests hold the template, the handlers and the
// answers to it.
//
//go:embed openapi.json
var openAPI []byte

// OpenAPI returns a copy of the OpenAPI document (openapi.json) that GET
// /openapi.json serves.
func OpenAPI() []byte { return bytes.Clone(openAPI) }

// openAPICache lets clients and caches keep the document a while: it
// changes only with a deployment.
const openAPICache = "public, max-age=300"

// serveOpenAPI is GET /openapi.json, a public route: no token needed.
func serveOpenAPI(context.Context, *events.APIGatewayV2HTTPRequest) events.APIGatewayV2HTTPResponse {
	return events.APIGatewayV2HTTPResponse{
		StatusCode: http.StatusOK,
		Headers:    map[string]string{"Content-Type": "application/json", "Cache-Control": openAPICache},
		Body:       string(openAPI),
	}
}
