package store

import (
	"fmt"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// BulkItem returns t as the table item a write would store, derived
// attributes (expiresTTL, GSI keys) included, without writing anything. It is
// for loaders that bypass Apply's transactions (benchmark seeding,
// migrations), so their items sort into GSI2 and expire exactly as written
// ones do. It reserves no name and writes no audit event; t is not modified.
func (s *Store) BulkItem(t *Record) (map[string]types.AttributeValue, error) {
	c := t.Clone()
	derive(c, s.rules)
	item, err := attributevalue.MarshalMap(c)
	if err != nil {
		return nil, fmt.Errorf("store: encode token %s: %w", t.ID, err)
	}
	return item, nil
}
