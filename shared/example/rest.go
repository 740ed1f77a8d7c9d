package example

import (
	"context"

	"github.com/aws/aws-lambda-go/events"
)

// HandleV1 answers one request of ExampleRestApi, a REST API whose Lambda
// proxy integration sends payload 1.0: the same routes and answers as
// Handle. The route is the method and the resource matched ("GET
// /orders/{id}"), and the caller is read from requestContext.authorizer,
// where API Gateway passes the authorizer's context beside its principalId
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-lambda-authorizer-output.html).
func HandleV1(_ context.Context, req events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	r := serve(call{
		route: req.HTTPMethod + " " + req.Resource, params: req.PathParameters, body: req.Body, base64: req.IsBase64Encoded,
		authorizer: req.RequestContext.Authorizer, authorizerAt: "requestContext.authorizer",
	})
	return events.APIGatewayProxyResponse{StatusCode: r.status, Headers: map[string]string{"Content-Type": r.contentType}, Body: r.body}, nil
}
