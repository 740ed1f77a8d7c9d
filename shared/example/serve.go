package example

import (
	"bytes"
	"context"
	"encoding/json"

	"github.com/aws/aws-lambda-go/events"
)

// Serve is ExampleFunction's handler, behind both example APIs: it answers
// an HTTP API's payload 2.0 event with Handle and a REST API's proxy event
// (payload 1.0) with HandleV1. A payload 2.0 event says "version": "2.0";
// a REST API's says no version
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html,
// https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html#api-gateway-simple-proxy-for-lambda-input-format).
func Serve(ctx context.Context, event json.RawMessage) (json.RawMessage, error) {
	var probe struct {
		Version string `json:"version"`
	}
	if err := json.Unmarshal(event, &probe); err != nil {
		return nil, err
	}
	if probe.Version == "2.0" {
		var req events.APIGatewayV2HTTPRequest
		if err := json.Unmarshal(event, &req); err != nil {
			return nil, err
		}
		resp, err := Handle(ctx, req)
		return encode(resp, err)
	}
	var req events.APIGatewayProxyRequest
	if err := json.Unmarshal(event, &req); err != nil {
		return nil, err
	}
	resp, err := HandleV1(ctx, req)
	return encode(resp, err)
}

// encode writes the answer as the Lambda runtime would have written the
// typed handler's: JSON without HTML escaping.
func encode(v any, err error) (json.RawMessage, error) {
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}
