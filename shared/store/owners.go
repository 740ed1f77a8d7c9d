package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/keymint/keymint/shared/lifecycle"
)

func isOwnerPK(v string) bool {
	owner, ok := strings.CutPrefix(v, "OWNER#")
	return ok && ValidOwner(owner)
}

// ownersPage is the shape of an owners list cursor: an owner item's key and
// its GSI1 key.
var ownersPage = pageShape{"PK": isOwnerPK, "SK": equals(metaSK), "GSI1PK": equals(ownersPK), "GSI1SK": isOwnerPK}

// Owners lists owner items in name order, a page at a time.
func (s *Store) Owners(ctx context.Context, limit int32, cursor string) ([]Owner, string, error) {
	q := query{index: IndexByOwner, keyCond: expression.Key("GSI1PK").Equal(expression.Value(ownersPK)), order: Ascending}
	items, next, err := s.queryPage(ctx, q, limit, cursor, ownersPage)
	if err != nil {
		return nil, "", err
	}
	out := make([]Owner, 0, len(items))
	for _, raw := range items {
		var o Owner
		if err := attributevalue.UnmarshalMap(raw, &o); err != nil {
			return nil, "", fmt.Errorf("store: decode owner: %w", err)
		}
		o.Found = true
		out = append(out, o)
	}
	return out, next, nil
}

// OwnerStats is what an owner's tokens add up to.
type OwnerStats struct {
	// Live counts tokens that are not revoked and not expired (active or
	// inactive: they can be used again).
	Live int
	// LastUsedAt is the latest use of any of its tokens (unix seconds; 0
	// never).
	LastUsedAt int64
}

// OwnerStats reads the owner's tokens (GSI1, not past their TTL) and adds
// them up; status is judged from the clock, as everywhere.
func (s *Store) OwnerStats(ctx context.Context, owner string, now time.Time) (OwnerStats, error) {
	live := notPastTTL(now)
	q := query{index: IndexByOwner, keyCond: expression.Key("GSI1PK").Equal(expression.Value(ownerPK(owner))), filter: &live, order: Descending}
	var st OwnerStats
	err := s.queryEach(ctx, q, func(items []map[string]types.AttributeValue) error {
		toks, err := decodeTokens(items)
		if err != nil {
			return err
		}
		for _, t := range toks {
			switch s.rules.Status(t.Times(), now) {
			case lifecycle.StatusActive, lifecycle.StatusInactive:
				st.Live++
			}
			st.LastUsedAt = max(st.LastUsedAt, t.LastUsedAt)
		}
		return nil
	})
	if err != nil {
		return OwnerStats{}, fmt.Errorf("store: owner %s tokens: %w", owner, err)
	}
	return st, nil
}

// RequestEnablement records an owner that asked for tokens before an admin
// enabled it (TOKENS_REQUIRE_ENABLEMENT), as pending, so admins see it in
// the owners list. An owner item that exists is left as it is.
func (s *Store) RequestEnablement(ctx context.Context, owner string, now time.Time) error {
	o := Owner{Owner: owner, Status: OwnerPending, CreatedAt: now.Unix(), UpdatedAt: now.Unix(), Version: 1}
	ownerListed(&o)
	item, err := attributevalue.MarshalMap(o)
	if err != nil {
		return fmt.Errorf("store: encode owner: %w", err)
	}
	if _, err := s.putIf(ctx, item, expression.AttributeNotExists(expression.Name("PK"))); err != nil {
		return fmt.Errorf("store: request enablement of %s: %w", owner, err)
	}
	return nil
}
