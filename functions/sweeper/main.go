// Command sweeper is the SweeperFunction Lambda: the scheduled lifecycle sweep
// (inactivity, expiry, TTL backstop, expiry notices).
package main

import (
	"context"
	"log"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/keymint/keymint/shared/app"
	"github.com/keymint/keymint/shared/sweep"
)

func main() {
	a, err := app.New(context.Background(), os.Getenv)
	if err != nil {
		log.Fatalf("sweeper: %v", err)
	}
	lambda.Start(sweep.NewHandler(a).Handle)
}
