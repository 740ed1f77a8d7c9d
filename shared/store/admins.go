package store

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// AdminTokens lists every unrevoked token that carries tokens:admin, from
// the sparse GSI3. Items hold only the attributes the index projects
// (owner, status and the lifecycle times); GSI3 is eventually consistent,
// which the lockout rule accepts: it errs towards refusing.
func (s *Store) AdminTokens(ctx context.Context) ([]*Record, error) {
	var out []*Record
	q := query{index: IndexAdmins, keyCond: expression.Key("GSI3PK").Equal(expression.Value(adminsPK)), order: Ascending}
	err := s.queryEach(ctx, q, func(items []map[string]types.AttributeValue) error {
		toks, err := decodeRecords(items)
		out = append(out, toks...)
		return err
	})
	return out, err
}
