// Command minimal is the floor BenchmarkColdStart compares ValidateFunction
// against: an aws-lambda-go function that does nothing but answer.
package main

import (
	"context"
	"encoding/json"

	"github.com/aws/aws-lambda-go/lambda"
)

var answer = map[string]any{"isAuthorized": true, "context": map[string]any{"tokenId": "minimal"}}

func handle(context.Context, json.RawMessage) (map[string]any, error) {
	return answer, nil
}

func main() {
	lambda.Start(handle)
}
