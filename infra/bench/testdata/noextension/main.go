// Command noextension is ValidateFunction exactly as functions/validate
// builds it, except that the App does not see AWS_LAMBDA_RUNTIME_API, so
// validate registers no post-response extension and writes usage before
// answering, as it did before the extension. The cold-start benchmark runs
// it beside the real bootstrap to show what the extension adds to the
// first answer. aws-lambda-go still reads the variable itself and serves
// the invocation as usual.
package main

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/keymint/keymint/shared/app"
	"github.com/keymint/keymint/shared/app/validatefn"
)

func main() {
	getenv := func(k string) string {
		if k == "AWS_LAMBDA_RUNTIME_API" {
			return ""
		}
		return os.Getenv(k)
	}
	h, err := app.Build(context.Background(), "ValidateFunction", validatefn.Lambda, getenv)
	if err != nil {
		app.NewLogger().Error("init failed", "function", "ValidateFunction", "error", err)
		os.Exit(1)
	}
	lambda.Start(h)
}
