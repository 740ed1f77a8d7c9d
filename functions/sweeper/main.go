// Command sweeper is the SweeperFunction Lambda: the scheduled lifecycle sweep
// (inactivity, expiry, TTL backstop, expiry notices).
package main

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/keymint/keymint/shared/app"
	"github.com/keymint/keymint/shared/sweep"
)

func main() {
	a, err := app.New(context.Background(), os.Getenv)
	if err != nil {
		// JSON like every other record, so Lambda's log-level filter and
		// Logs Insights see it; log.Fatal's plain text would be dropped.
		app.NewLogger().Error("init failed", "function", "sweeper", "error", err)
		os.Exit(1)
	}
	lambda.Start(sweep.NewHandler(a).Handle)
}
