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
	db    API
	table string
	rules lifecycle.Rules
	reads ReadMode // the least every read is; a caller may ask for more
	// enablement: new tokens only for owners an admin enabled
	// (TOKENS_REQUIRE_ENABLEMENT), checked in the issuing transaction.
	enablement bool
}

// New returns a Store on table. reads is the least every read is: Eventual
// halves read cost, and DynamoDB's replicas converge well within validate's
// cache TTL; Consistent (CONSISTENT_READS) makes every read strong.
func New(db API, table string, rules lifecycle.Rules, reads ReadMode) *Store {
	return &Store{db: db, table: table, rules: rules, reads: reads}
}

// WithEnablement returns the store with owner enablement required (or not)
// for new tokens.
func (s *Store) WithEnablement(on bool) *Store {
	c := *s
	c.enablement = on
	return &c
}

// RequiresEnablement reports whether new tokens need an enabled owner.
func (s *Store) RequiresEnablement() bool { return s.enablement }

// Rules returns the lifecycle rules the store derives attributes with.
func (s *Store) Rules() lifecycle.Rules { return s.rules }

func key(pk, sk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		"PK": &types.AttributeValueMemberS{Value: pk},
		"SK": &types.AttributeValueMemberS{Value: sk},
	}
}

// ReadMode says how fresh a read must be.
type ReadMode bool

const (
	// Eventual reads may lag a just-finished write by a moment and cost half
	// (unless CONSISTENT_READS makes every read strong).
	Eventual ReadMode = false
	// Consistent reads see every finished write: management writes read
	// their optimistic-lock baseline this way.
	Consistent ReadMode = true
)

// Record reads a token's record by id.
func (s *Store) Record(ctx context.Context, id string, mode ReadMode) (*Record, error) {
	res, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(s.table),
		Key:            key(tokenPK(id), metaSK),
		ConsistentRead: aws.Bool(bool(mode || s.reads)),
	})
	if err != nil {
		return nil, fault("get token", err)
	}
	if res.Item == nil {
		return nil, ErrNotFound
	}
	return decodeRecord(res.Item)
}

// get reads one item into out (strongly consistent when mode says so),
// reporting whether it exists. what names the item in errors.
func (s *Store) get(ctx context.Context, k map[string]types.AttributeValue, mode ReadMode, what string, out any) (bool, error) {
	res, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(s.table),
		Key:            k,
		ConsistentRead: aws.Bool(bool(mode || s.reads)),
	})
	if err != nil {
		return false, fault("get "+what, err)
	}
	if res.Item == nil {
		return false, nil
	}
	if err := attributevalue.UnmarshalMap(res.Item, out); err != nil {
		return false, fmt.Errorf("store: decode %s: %w", what, err)
	}
	return true, nil
}

// isConditionFailed reports a single-item conditional write that lost.
func isConditionFailed(err error) bool {
	var ccf *types.ConditionalCheckFailedException
	return errors.As(err, &ccf)
}
