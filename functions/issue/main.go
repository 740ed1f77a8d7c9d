// Command issue is the IssueFunction Lambda: POST /tokens, PATCH, regenerate,
// copy, and the ops direct invoke that issues a token.
package main

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/keymint/keymint/shared/app"
	"github.com/keymint/keymint/shared/app/issuefn"
)

func main() {
	h, err := app.Build(context.Background(), "IssueFunction", issuefn.Issue, os.Getenv)
	if err != nil {
		// JSON like every other record, so Lambda's log-level filter and
		// Logs Insights see it; log.Fatal's plain text would be dropped.
		app.NewLogger().Error("init failed", "function", "IssueFunction", "error", err)
		os.Exit(1)
	}
	lambda.Start(h)
}
