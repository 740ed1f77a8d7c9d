package store

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// pageScope pins key attributes a cursor must carry, so a crafted cursor
// cannot start a page inside another owner's or token's items.
type pageScope map[string]string

// DefaultPageSize and MaxPageSize bound list pages.
const (
	DefaultPageSize = 50
	MaxPageSize     = 100
)

func encodeCursor(lek map[string]types.AttributeValue) (string, error) {
	if len(lek) == 0 {
		return "", nil
	}
	plain := make(map[string]string, len(lek))
	for k, v := range lek {
		s, ok := v.(*types.AttributeValueMemberS)
		if !ok {
			return "", fmt.Errorf("store: cursor key %s is not a string", k)
		}
		plain[k] = s.Value
	}
	raw, err := json.Marshal(plain)
	if err != nil {
		return "", fmt.Errorf("store: encode cursor: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(raw), nil
}

func decodeCursor(cursor string, scope pageScope) (map[string]types.AttributeValue, error) {
	if cursor == "" {
		return nil, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil {
		return nil, ErrBadCursor
	}
	var plain map[string]string
	if err := json.Unmarshal(raw, &plain); err != nil || len(plain) == 0 || len(plain) > 4 {
		return nil, ErrBadCursor
	}
	for k, want := range scope {
		if plain[k] != want {
			return nil, ErrBadCursor
		}
	}
	out := make(map[string]types.AttributeValue, len(plain))
	for k, v := range plain {
		out[k] = &types.AttributeValueMemberS{Value: v}
	}
	return out, nil
}

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
func (s *Store) queryPage(ctx context.Context, index string, keyCond expression.KeyConditionBuilder, filter *expression.ConditionBuilder, limit int32, cursor string, scope pageScope, forward bool) ([]map[string]types.AttributeValue, string, error) {
	start, err := decodeCursor(cursor, scope)
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
		return nil, "", fmt.Errorf("store: query: %w", err)
	}
	next, err := encodeCursor(out.LastEvaluatedKey)
	if err != nil {
		return nil, "", err
	}
	return out.Items, next, nil
}
