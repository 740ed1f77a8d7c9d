// Command firstget times what a cold start's first table read costs beyond
// a warm one: in a fresh process, with the client keymint's functions
// build (shared/app), one GetItem and then another on the same client. It
// prints the two durations in nanoseconds as JSON.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/keymint/keymint/shared/app"
)

func main() {
	ctx := context.Background()
	cfg, err := awsconfig.LoadDefaultConfig(ctx, awsconfig.WithRetryer(app.NewRetryer))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	db := app.NewDynamoDB(cfg, os.Getenv("DYNAMODB_ENDPOINT"))
	in := &dynamodb.GetItemInput{TableName: aws.String(os.Getenv("TABLE_NAME")), Key: map[string]types.AttributeValue{
		"PK": &types.AttributeValueMemberS{Value: "WARM#"}, "SK": &types.AttributeValueMemberS{Value: "WARM#"},
	}}
	var d [2]time.Duration
	for i := range d {
		start := time.Now()
		if _, err := db.GetItem(ctx, in); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		d[i] = time.Since(start)
	}
	_ = json.NewEncoder(os.Stdout).Encode(map[string]int64{"first": int64(d[0]), "second": int64(d[1])})
}
