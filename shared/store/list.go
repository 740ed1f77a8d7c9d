package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/keymint/keymint/shared/lifecycle"
)

// FilterLive lists every token that still holds its name: active,
// inactive or expired, not revoked (what a console shows by default).
const FilterLive = "live"

// statusFilter selects, on the stored attributes, the tokens whose
// lifecycle.Rules.Status at now is status (or, for FilterLive, is not
// revoked), so a page holds only matching
// tokens. Inactivity by time is part of it: a token stored active but idle
// for InactiveAfter is inactive here too, before the sweeper writes it down.
func (s *Store) statusFilter(status string, now time.Time) (*expression.ConditionBuilder, error) {
	st, exp := expression.Name("status"), expression.Name("expiresAt")
	n := expression.Value(now.Unix())
	live := st.NotEqual(expression.Value(lifecycle.StatusRevoked)).And(exp.GreaterThan(n))
	// Some activity (creation, use, activation) inside the window.
	cut := expression.Value(now.Add(-s.rules.InactiveAfter).Unix())
	recent := expression.Or(
		expression.Name("createdAt").GreaterThan(cut),
		expression.Name("lastUsedAt").GreaterThan(cut),
		expression.Name("activatedAt").GreaterThan(cut),
	)
	active := st.Equal(expression.Value(lifecycle.StatusActive)).And(exp.GreaterThan(n), recent)
	var c expression.ConditionBuilder
	switch status {
	case "":
		return nil, nil
	case lifecycle.StatusRevoked:
		c = st.Equal(expression.Value(lifecycle.StatusRevoked))
	case FilterLive:
		c = st.NotEqual(expression.Value(lifecycle.StatusRevoked))
	case lifecycle.StatusExpired:
		c = st.NotEqual(expression.Value(lifecycle.StatusRevoked)).And(exp.LessThanEqual(n))
	case lifecycle.StatusActive:
		c = active
	case lifecycle.StatusInactive:
		c = live.And(expression.Not(active))
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

func decodeRecords(items []map[string]types.AttributeValue) ([]*Record, error) {
	out := make([]*Record, 0, len(items))
	for _, raw := range items {
		t, err := decodeRecord(raw)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

// ListByOwner lists an owner's tokens newest first; status ("" for all)
// filters by the status a reader would see at now.
func (s *Store) ListByOwner(ctx context.Context, owner, status string, now time.Time, limit int32, cursor string) ([]*Record, string, error) {
	filter, err := s.statusFilter(status, now)
	if err != nil {
		return nil, "", err
	}
	live := notPastTTL(now)
	if filter != nil {
		live = live.And(*filter)
	}
	keyCond := expression.Key("GSI1PK").Equal(expression.Value(ownerPK(owner)))
	items, next, err := s.queryPage(ctx, query{index: IndexByOwner, keyCond: keyCond, filter: &live, order: Descending}, limit, cursor, ownerPage(owner))
	if err != nil {
		return nil, "", err
	}
	toks, err := decodeRecords(items)
	return toks, next, err
}

// LiveTokens returns every token of owner that is not revoked, reading
// strongly consistent items (GSI1 is eventually consistent, so each hit is
// re-read before a caller bases a conditional write on it).
func (s *Store) LiveTokens(ctx context.Context, owner string) ([]*Record, error) {
	var live []*Record
	filter := expression.Name("status").NotEqual(expression.Value(lifecycle.StatusRevoked))
	q := query{index: IndexByOwner, keyCond: expression.Key("GSI1PK").Equal(expression.Value(ownerPK(owner))), filter: &filter, order: Descending}
	err := s.queryEach(ctx, q, func(items []map[string]types.AttributeValue) error {
		toks, err := decodeRecords(items)
		if err != nil {
			return err
		}
		for _, t := range toks {
			fresh, err := s.Record(ctx, t.ID, Consistent)
			if errors.Is(err, ErrNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			if fresh.Status != lifecycle.StatusRevoked {
				live = append(live, fresh)
			}
		}
		return nil
	})
	return live, err
}
