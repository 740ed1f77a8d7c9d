package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/keymint/keymint/shared/lifecycle"
)

// statusFilter turns a shown status (lifecycle.Shown) into a filter on the
// stored attributes, so a page holds only matching tokens.
func statusFilter(status string, now time.Time) (*expression.ConditionBuilder, error) {
	st, exp, n := expression.Name("status"), expression.Name("expiresAt"), expression.Value(now.Unix())
	var c expression.ConditionBuilder
	switch status {
	case "":
		return nil, nil
	case lifecycle.StatusRevoked:
		c = st.Equal(expression.Value(lifecycle.StatusRevoked))
	case lifecycle.StatusExpired:
		c = st.NotEqual(expression.Value(lifecycle.StatusRevoked)).And(exp.LessThanEqual(n))
	case lifecycle.StatusActive, lifecycle.StatusInactive:
		c = st.Equal(expression.Value(status)).And(exp.GreaterThan(n))
	default:
		return nil, fmt.Errorf("store: unknown status filter %q", status)
	}
	return &c, nil
}

// notPastTTL keeps items DynamoDB may already delete out of what readers
// see: TTL deletes within days of expiresTTL, not at that second
// (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/howitworks-ttl.html),
// and until then the items still answer queries.
func notPastTTL(now time.Time) expression.ConditionBuilder {
	return expression.Or(
		expression.AttributeNotExists(expression.Name(TTLAttribute)),
		expression.Name(TTLAttribute).GreaterThan(expression.Value(now.Unix())),
	)
}

func decodeTokens(items []map[string]types.AttributeValue) ([]*Token, error) {
	out := make([]*Token, 0, len(items))
	for _, raw := range items {
		var t Token
		if err := attributevalue.UnmarshalMap(raw, &t); err != nil {
			return nil, fmt.Errorf("store: decode token: %w", err)
		}
		out = append(out, &t)
	}
	return out, nil
}

// ListByOwner lists an owner's tokens newest first; status ("" for all)
// filters by the status a reader would see at now.
func (s *Store) ListByOwner(ctx context.Context, owner, status string, now time.Time, limit int32, cursor string) ([]*Token, string, error) {
	filter, err := statusFilter(status, now)
	if err != nil {
		return nil, "", err
	}
	live := notPastTTL(now)
	if filter != nil {
		live = live.And(*filter)
	}
	keyCond := expression.Key("GSI1PK").Equal(expression.Value(ownerPK(owner)))
	items, next, err := s.queryPage(ctx, IndexByOwner, keyCond, &live, limit, cursor, ownerPage(owner), false)
	if err != nil {
		return nil, "", err
	}
	toks, err := decodeTokens(items)
	return toks, next, err
}

// LiveTokens returns every token of owner that is not revoked, reading
// strongly consistent items (GSI1 is eventually consistent, so each hit is
// re-read before a caller bases a conditional write on it).
func (s *Store) LiveTokens(ctx context.Context, owner string) ([]*Token, error) {
	var live []*Token
	cursor := ""
	keyCond := expression.Key("GSI1PK").Equal(expression.Value(ownerPK(owner)))
	filter := expression.Name("status").NotEqual(expression.Value(lifecycle.StatusRevoked))
	for {
		items, next, err := s.queryPage(ctx, IndexByOwner, keyCond, &filter, MaxPageSize, cursor, ownerPage(owner), false)
		if err != nil {
			return nil, err
		}
		for _, raw := range items {
			var t Token
			if err := attributevalue.UnmarshalMap(raw, &t); err != nil {
				return nil, fmt.Errorf("store: decode token: %w", err)
			}
			fresh, err := s.Token(ctx, t.ID, Consistent)
			if errors.Is(err, ErrNotFound) {
				continue
			}
			if err != nil {
				return nil, err
			}
			if fresh.Status != lifecycle.StatusRevoked {
				live = append(live, fresh)
			}
		}
		if next == "" {
			return live, nil
		}
		cursor = next
	}
}
