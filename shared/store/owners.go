package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
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
		toks, err := decodeRecords(items)
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

// MarkOwnerTokens copies the owner's state (o: its status and plan, as
// just written) onto each of its tokens, so validate decides from the one
// token item it reads. It pages through GSI1 and stops at deadline; done is
// false when tokens remain, and calling again resumes (marking is
// idempotent). Each mark is a transaction with a check that the owner is
// still in state o, so a marker of an earlier change, running late, cannot
// overwrite a later one's marks (ErrConflict: the later change marks its
// own); each bumps the token's version so a concurrent management write,
// which puts a whole item, cannot undo it.
func (s *Store) MarkOwnerTokens(ctx context.Context, o *Owner, deadline time.Time) (marked int, done bool, err error) {
	disabled := o.Status == OwnerDisabled
	q := query{index: IndexByOwner, keyCond: expression.Key("GSI1PK").Equal(expression.Value(ownerPK(o.Owner))), order: Descending}
	err = s.queryEach(ctx, q, func(items []map[string]types.AttributeValue) error {
		if !deadline.IsZero() && time.Now().After(deadline) {
			return errOutOfTime
		}
		toks, err := decodeRecords(items)
		if err != nil {
			return err
		}
		for _, t := range toks {
			if t.OwnerDisabled == disabled && t.Plan == o.Plan && t.Quota == o.Quota && t.OwnerMetaSum == o.MetaSum && t.UsageKey == o.UsageKey {
				continue
			}
			ok, err := s.markOwnerState(ctx, t.ID, o)
			if err != nil {
				return err
			}
			if ok {
				marked++
			}
		}
		return nil
	})
	if errors.Is(err, errOutOfTime) {
		return marked, false, nil
	}
	return marked, err == nil, err
}

// markOwnerState writes o's state onto one token, if the owner is still in
// it; a token deleted meanwhile is not marked (false, nil).
func (s *Store) markOwnerState(ctx context.Context, id string, o *Owner) (bool, error) {
	upd := expression.Add(expression.Name("version"), expression.Value(1))
	if o.Status == OwnerDisabled {
		upd = upd.Set(expression.Name("ownerDisabled"), expression.Value(true))
	} else {
		upd = upd.Remove(expression.Name("ownerDisabled"))
	}
	upd = setOrRemove(upd, "plan", o.Plan)
	upd = setOrRemove(upd, "quota", o.Quota)
	upd = setOrRemove(upd, "usageKey", o.UsageKey)
	upd = setOrRemove(upd, "ownerMetaSum", o.MetaSum)
	if len(o.Metadata) > 0 {
		upd = upd.Set(expression.Name("ownerMetadata"), expression.Value(o.Metadata))
	} else {
		upd = upd.Remove(expression.Name("ownerMetadata"))
	}
	tokenIt, err := s.txUpdate(key(tokenPK(id), metaSK), upd, expression.AttributeExists(expression.Name("PK")))
	if err != nil {
		return false, err
	}
	ownerIt, err := s.txCheck(key(ownerPK(o.Owner), metaSK), expression.Name("status").Equal(expression.Value(o.Status)).And(samePlan(o.Plan), same("quota", o.Quota), same("metaSum", o.MetaSum), same("usageKey", o.UsageKey)))
	if err != nil {
		return false, err
	}
	var b txBuilder
	b.add(guardOwnerVersion, ownerIt)
	b.add(guardToken, tokenIt)
	_, err = s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: b.items})
	var tce *types.TransactionCanceledException
	switch {
	case err == nil:
		return true, nil
	case errors.As(err, &tce) && len(tce.CancellationReasons) == 2:
		if aws.ToString(tce.CancellationReasons[0].Code) == "ConditionalCheckFailed" {
			return false, fmt.Errorf("store: mark token %s: the owner changed again: %w", id, ErrConflict)
		}
		if aws.ToString(tce.CancellationReasons[1].Code) == "ConditionalCheckFailed" {
			return false, nil
		}
	}
	return false, fmt.Errorf("store: mark token %s: %w", id, s.commitOutcome(err, &b))
}

// samePlan is the condition that an owner item is on plan ("" is no plan
// set: the default).
func samePlan(plan string) expression.ConditionBuilder { return same("plan", plan) }

// same is the condition that attribute name holds v, "" meaning absent.
func same(name, v string) expression.ConditionBuilder {
	if v == "" {
		return expression.AttributeNotExists(expression.Name(name))
	}
	return expression.Name(name).Equal(expression.Value(v))
}

// setOrRemove sets name to v, or removes it for "".
func setOrRemove(upd expression.UpdateBuilder, name, v string) expression.UpdateBuilder {
	if v == "" {
		return upd.Remove(expression.Name(name))
	}
	return upd.Set(expression.Name(name), expression.Value(v))
}
