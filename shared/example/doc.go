// Package example is an EXAMPLE BACKEND. IT IS NOT PART OF KEYMINT'S
// SERVICE: it stores nothing, checks nothing and is deployed only with the
// template parameter ExampleApi=true (`make run` always serves it, on
// EXAMPLE_PORT).
//
// It is ExampleFunction, the backend of ExampleApi and ExampleRestApi: a
// small orders API behind ValidateFunction, as an HTTP API and as a REST
// API metered by usage plans, set up the way your own API would sit behind
// keymint, so you can watch keymint protect an API. It is written the way
// a customer writes such a backend: aws-lambda-go's
// events.APIGatewayV2HTTPRequest in and events.APIGatewayV2HTTPResponse out
// (Handle), or events.APIGatewayProxyRequest and
// events.APIGatewayProxyResponse for the REST API (HandleV1), Serve telling
// the two apart; who called is read from the context keymint's authorizer
// passes (requestContext.authorizer.lambda, or requestContext.authorizer
// for the REST API: kind, tokenId, owner, scopes, expiresAt). The
// authorizer has already checked the token and that its scopes open the
// route, and API Gateway the usage plan, so the backend only reads the
// caller.
//
// It links none of keymint's packages (infra/templatecheck holds that): a
// backend behind keymint needs none of them.
package example
