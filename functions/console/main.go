// Command console is the ConsoleFunction Lambda: keymint's web console,
// static files served without the authorizer.
package main

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/keymint/keymint/shared/app"
	"github.com/keymint/keymint/shared/app/consolefn"
)

func main() {
	h, err := app.Build(context.Background(), "ConsoleFunction", consolefn.Lambda, os.Getenv)
	if err != nil {
		// JSON like every other record, so Lambda's log-level filter and
		// Logs Insights see it; log.Fatal's plain text would be dropped.
		app.NewLogger().Error("init failed", "function", "ConsoleFunction", "error", err)
		os.Exit(1)
	}
	lambda.Start(h)
}
