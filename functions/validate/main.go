// Command validate is the ValidateFunction Lambda: the API's authorizer and a
// directly invokable token check.
package main

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/keymint/keymint/shared/app"
	"github.com/keymint/keymint/shared/app/validatefn"
)

func main() {
	// Early begins the extension's registration before the App is built,
	// so the two overlap.
	h, err := app.Build(context.Background(), "ValidateFunction", validatefn.Early(os.Getenv), os.Getenv)
	if err != nil {
		// JSON like every other record, so Lambda's log-level filter and
		// Logs Insights see it; log.Fatal's plain text would be dropped.
		app.NewLogger().Error("init failed", "function", "ValidateFunction", "error", err)
		os.Exit(1)
	}
	lambda.Start(h)
}
