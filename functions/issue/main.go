// Command issue is the IssueFunction Lambda: POST /tokens, PATCH, regenerate,
// copy, and the ops direct invoke that issues a token.
package main

import (
	"context"
	"log"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/keymint/keymint/shared/api"
	"github.com/keymint/keymint/shared/app"
)

func main() {
	a, err := app.New(context.Background(), os.Getenv)
	if err != nil {
		log.Fatalf("issue: %v", err)
	}
	lambda.Start(api.NewIssue(a).Handle)
}
