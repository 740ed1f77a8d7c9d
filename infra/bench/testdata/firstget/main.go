// Command firstget times the AWS SDK's part of a cold start that is not
// package initialisation: in a fresh process, loading the SDK's
// configuration and building the DynamoDB client as keymint's functions do
// (shared/app), then one GetItem and another on the same client. It prints
// the three durations in nanoseconds as JSON.
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
	began := time.Now()
	cfg, err := awsconfig.LoadDefaultConfig(ctx, awsconfig.WithRetryer(app.NewRetryer))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	db := app.NewDynamoDB(cfg, os.Getenv("DYNAMODB_ENDPOINT"))
	config := time.Since(began)
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
	_ = json.NewEncoder(os.Stdout).Encode(map[string]int64{"config": int64(config), "first": int64(d[0]), "second": int64(d[1])})
}
