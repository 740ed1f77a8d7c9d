// Command revoke is the RevokeFunction Lambda: revoke (one or many),
// deactivate/activate, IP blocks and owner status.
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
		log.Fatalf("revoke: %v", err)
	}
	lambda.Start(api.NewRevoke(a).Handle)
}
