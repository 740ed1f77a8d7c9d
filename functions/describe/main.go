// Command describe is the DescribeFunction Lambda: the read routes (list, get,
// usage, audit, whoami).
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
		log.Fatalf("describe: %v", err)
	}
	lambda.Start(api.NewDescribe(a).Handle)
}
