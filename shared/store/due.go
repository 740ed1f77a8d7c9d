package store

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
)

// Due returns one page of shard's tokens whose sweeper deadline is at or
// before now, oldest deadline first. Only due items are read, so a sweep
// costs what is due, not the table's size.
func (s *Store) Due(ctx context.Context, shardNo int, now time.Time, limit int32, cursor string) ([]*Record, string, error) {
	pk := sweepPK(shardNo)
	// "~" sorts after every digit and '#', so the bound includes all ids due at now.
	keyCond := expression.Key("GSI2PK").Equal(expression.Value(pk)).
		And(expression.Key("GSI2SK").LessThanEqual(expression.Value(sortTime(now.Unix()) + "#~")))
	items, next, err := s.queryPage(ctx, query{index: IndexDeadline, keyCond: keyCond, order: Ascending}, limit, cursor, duePage(shardNo))
	if err != nil {
		return nil, "", err
	}
	toks, err := decodeRecords(items)
	return toks, next, err
}
