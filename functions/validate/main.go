// Command validate is the ValidateFunction Lambda: the API's authorizer and a
// directly invokable token check.
package main

import (
	"context"
	"log"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/keymint/keymint/shared/app"
	"github.com/keymint/keymint/shared/authz"
)

func main() {
	a, err := app.New(context.Background(), os.Getenv)
	if err != nil {
		log.Fatalf("validate: %v", err)
	}
	lambda.Start(authz.NewHandler(a).Handle)
}
