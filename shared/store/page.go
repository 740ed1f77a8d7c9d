package store

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// DefaultPageSize and MaxPageSize bound list pages.
const (
	DefaultPageSize = 50
	MaxPageSize     = 100
)

func clampLimit(limit int32) int32 {
	switch {
	case limit <= 0:
		return DefaultPageSize
	case limit > MaxPageSize:
		return MaxPageSize
	}
	return limit
}

// queryPage runs one Query page on the table or an index.
func (s *Store) queryPage(ctx context.Context, index string, keyCond expression.KeyConditionBuilder, filter *expression.ConditionBuilder, limit int32, cursor string, shape pageShape, forward bool) ([]map[string]types.AttributeValue, string, error) {
	start, err := decodeCursor(cursor, shape)
	if err != nil {
		return nil, "", err
	}
	bld := expression.NewBuilder().WithKeyCondition(keyCond)
	if filter != nil {
		bld = bld.WithFilter(*filter)
	}
	expr, err := bld.Build()
	if err != nil {
		return nil, "", fmt.Errorf("store: query expression: %w", err)
	}
	in := &dynamodb.QueryInput{
		TableName:                 aws.String(s.table),
		KeyConditionExpression:    expr.KeyCondition(),
		FilterExpression:          expr.Filter(),
		ExpressionAttributeNames:  expr.Names(),
		ExpressionAttributeValues: expr.Values(),
		ExclusiveStartKey:         start,
		Limit:                     aws.Int32(clampLimit(limit)),
		ScanIndexForward:          aws.Bool(forward),
	}
	if index != "" {
		in.IndexName = aws.String(index)
	}
	out, err := s.db.Query(ctx, in)
	if err != nil {
		return nil, "", fault("query", err)
	}
	next, err := encodeCursor(out.LastEvaluatedKey)
	if err != nil {
		return nil, "", err
	}
	return out.Items, next, nil
}
