// Command sweeper is the SweeperFunction Lambda: the scheduled lifecycle sweep
// (inactivity, expiry, TTL backstop, expiry notices).
package main

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/keymint/keymint/shared/app"
	"github.com/keymint/keymint/shared/app/sweeperfn"
)

func main() {
	h, err := app.Build(context.Background(), "SweeperFunction", sweeperfn.Lambda, os.Getenv)
	if err != nil {
		// JSON like every other record, so Lambda's log-level filter and
		// Logs Insights see it; log.Fatal's plain text would be dropped.
		app.NewLogger().Error("init failed", "function", "SweeperFunction", "error", err)
		os.Exit(1)
	}
	lambda.Start(h)
}
