package store

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
)

// AdminTokens lists every unrevoked token that carries tokens:admin, from
// the sparse GSI3. Items hold only the attributes the index projects
// (owner, status and the lifecycle times); GSI3 is eventually consistent,
// which the lockout rule accepts: it errs towards refusing.
func (s *Store) AdminTokens(ctx context.Context) ([]*Token, error) {
	var out []*Token
	keyCond := expression.Key("GSI3PK").Equal(expression.Value(adminsPK))
	cursor := ""
	for {
		items, next, err := s.queryPage(ctx, IndexAdmins, keyCond, nil, MaxPageSize, cursor, adminsPage, true)
		if err != nil {
			return nil, err
		}
		for _, raw := range items {
			var t Token
			if err := attributevalue.UnmarshalMap(raw, &t); err != nil {
				return nil, fmt.Errorf("store: decode admin token: %w", err)
			}
			out = append(out, &t)
		}
		if next == "" {
			return out, nil
		}
		cursor = next
	}
}
