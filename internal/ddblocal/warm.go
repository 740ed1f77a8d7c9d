package ddblocal

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Warm runs the kinds of request keymint makes (PutItem, GetItem,
// UpdateItem, Query, TransactWriteItems) against a scratch table for d, so
// DynamoDB Local's JVM has compiled its request path before anything is
// timed. A fresh JVM interprets, then compiles what runs often: its first
// thousands of requests are several times slower than later ones, a phase
// DynamoDB itself does not have. The scratch table is deleted after.
func Warm(ctx context.Context, endpoint string, d time.Duration) (requests int, err error) {
	db := NewClient(endpoint)
	table := fmt.Sprintf("warm-%d", time.Now().UnixNano())
	_, err = db.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:   aws.String(table),
		BillingMode: types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{
			{AttributeName: aws.String("PK"), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String("SK"), AttributeType: types.ScalarAttributeTypeS},
		},
		KeySchema: []types.KeySchemaElement{
			{AttributeName: aws.String("PK"), KeyType: types.KeyTypeHash},
			{AttributeName: aws.String("SK"), KeyType: types.KeyTypeRange},
		},
	})
	if err != nil {
		return 0, fmt.Errorf("ddblocal: warm: create table: %w", err)
	}
	defer func() {
		_, _ = db.DeleteTable(context.WithoutCancel(ctx), &dynamodb.DeleteTableInput{TableName: aws.String(table)})
	}()
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var mu sync.Mutex
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := 0; ctx.Err() == nil; i++ {
				if e := warmRound(ctx, db, table, strconv.Itoa(w), strconv.Itoa(i%64)); e != nil && ctx.Err() == nil {
					mu.Lock()
					err = e
					mu.Unlock()
					return
				}
				mu.Lock()
				requests += 5
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return requests, err
}

func warmRound(ctx context.Context, db *dynamodb.Client, table, pk, sk string) error {
	s := func(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
	k := map[string]types.AttributeValue{"PK": s(pk), "SK": s(sk)}
	if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table),
		Item: map[string]types.AttributeValue{"PK": s(pk), "SK": s(sk), "v": s("x"), "n": &types.AttributeValueMemberN{Value: "1"}}}); err != nil {
		return err
	}
	if _, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(table), Key: k}); err != nil {
		return err
	}
	if _, err := db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String(table), Key: k,
		UpdateExpression:          aws.String("ADD #n :one"),
		ConditionExpression:       aws.String("attribute_exists(PK)"),
		ExpressionAttributeNames:  map[string]string{"#n": "n"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":one": &types.AttributeValueMemberN{Value: "1"}}}); err != nil {
		return err
	}
	if _, err := db.Query(ctx, &dynamodb.QueryInput{TableName: aws.String(table), KeyConditionExpression: aws.String("PK = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": s(pk)}, Limit: aws.Int32(10)}); err != nil {
		return err
	}
	_, err := db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Put: &types.Put{TableName: aws.String(table), Item: map[string]types.AttributeValue{"PK": s(pk + "#t"), "SK": s(sk)}}},
		{Put: &types.Put{TableName: aws.String(table), Item: map[string]types.AttributeValue{"PK": s(pk + "#u"), "SK": s(sk)}}},
	}})
	return err
}
