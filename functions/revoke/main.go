// Command revoke is the RevokeFunction Lambda: revoke (one or many),
// deactivate/activate, IP blocks and owner status.
package main

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/keymint/keymint/shared/app"
	"github.com/keymint/keymint/shared/app/revokefn"
)

func main() {
	h, err := app.Build(context.Background(), "RevokeFunction", revokefn.Revoke, os.Getenv)
	if err != nil {
		// JSON like every other record, so Lambda's log-level filter and
		// Logs Insights see it; log.Fatal's plain text would be dropped.
		app.NewLogger().Error("init failed", "function", "RevokeFunction", "error", err)
		os.Exit(1)
	}
	lambda.Start(h)
}
