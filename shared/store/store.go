package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/keymint/keymint/shared/lifecycle"
)

// Store reads and writes keymint's table.
type Store struct {
	db         API
	table      string
	rules      lifecycle.Rules
	consistent bool
}

// New returns a Store on table. consistentReads makes token reads strongly
// consistent; the default (false) halves read cost and DynamoDB's replicas
// converge well within validate's cache TTL.
func New(db API, table string, rules lifecycle.Rules, consistentReads bool) *Store {
	return &Store{db: db, table: table, rules: rules, consistent: consistentReads}
}

// Rules returns the lifecycle rules the store derives attributes with.
func (s *Store) Rules() lifecycle.Rules { return s.rules }

func key(pk, sk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		"PK": &types.AttributeValueMemberS{Value: pk},
		"SK": &types.AttributeValueMemberS{Value: sk},
	}
}

// Token reads a token by id. consistent forces a strongly consistent read
// (management writes read their baseline that way).
func (s *Store) Token(ctx context.Context, id string, consistent bool) (*Token, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(s.table),
		Key:            key(tokenPK(id), metaSK),
		ConsistentRead: aws.Bool(consistent || s.consistent),
	})
	if err != nil {
		return nil, fmt.Errorf("store: get token %s: %w", id, err)
	}
	if out.Item == nil {
		return nil, ErrNotFound
	}
	var t Token
	if err := attributevalue.UnmarshalMap(out.Item, &t); err != nil {
		return nil, fmt.Errorf("store: decode token %s: %w", id, err)
	}
	return &t, nil
}

// isConditionFailed reports a single-item conditional write that lost.
func isConditionFailed(err error) bool {
	var ccf *types.ConditionalCheckFailedException
	return errors.As(err, &ccf)
}

func asCanceled(err error, target **types.TransactionCanceledException) bool {
	return errors.As(err, target)
}
