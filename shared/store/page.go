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

// Order is the sort-key order a query reads in.
type Order bool

const (
	// Ascending reads the sort key upwards (oldest deadline, first IP).
	Ascending Order = true
	// Descending reads it downwards (newest token, latest audit event).
	Descending Order = false
)

// query is one Query on the table (index "") or an index.
type query struct {
	index   string
	keyCond expression.KeyConditionBuilder
	filter  *expression.ConditionBuilder
	order   Order
}

func (s *Store) input(q query) (*dynamodb.QueryInput, error) {
	bld := expression.NewBuilder().WithKeyCondition(q.keyCond)
	if q.filter != nil {
		bld = bld.WithFilter(*q.filter)
	}
	expr, err := bld.Build()
	if err != nil {
		return nil, fmt.Errorf("store: query expression: %w", err)
	}
	in := &dynamodb.QueryInput{
		TableName:                 aws.String(s.table),
		KeyConditionExpression:    expr.KeyCondition(),
		FilterExpression:          expr.Filter(),
		ExpressionAttributeNames:  expr.Names(),
		ExpressionAttributeValues: expr.Values(),
		ScanIndexForward:          aws.Bool(bool(q.order)),
	}
	if q.index != "" {
		in.IndexName = aws.String(q.index)
	}
	return in, nil
}

// queryPage reads one page for a client: at most limit items after the
// cursor (which must have the listing's shape), and the next cursor.
func (s *Store) queryPage(ctx context.Context, q query, limit int32, cursor string, shape pageShape) ([]map[string]types.AttributeValue, string, error) {
	start, err := decodeCursor(cursor, shape)
	if err != nil {
		return nil, "", err
	}
	in, err := s.input(q)
	if err != nil {
		return nil, "", err
	}
	in.ExclusiveStartKey, in.Limit = start, aws.Int32(clampLimit(limit))
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

// queryEach reads every page with the SDK's paginator, handing each to fn;
// fn's error stops it. For the store's own walks, never a client's list.
func (s *Store) queryEach(ctx context.Context, q query, fn func(items []map[string]types.AttributeValue) error) error {
	in, err := s.input(q)
	if err != nil {
		return err
	}
	in.Limit = aws.Int32(MaxPageSize)
	pages := dynamodb.NewQueryPaginator(s.db, in)
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return fault("query", err)
		}
		if err := fn(page.Items); err != nil {
			return err
		}
	}
	return nil
}
