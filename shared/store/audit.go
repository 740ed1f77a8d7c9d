package store

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/keymint/keymint/shared/audit"
)

// auditTime is RFC 3339 with a fixed nine-digit fraction: RFC3339Nano trims
// trailing zeros, which would break the sort key's time order.
const auditTime = "2006-01-02T15:04:05.000000000Z07:00"

type auditItem struct {
	PK         string         `dynamodbav:"PK"`
	SK         string         `dynamodbav:"SK"`
	TokenID    string         `dynamodbav:"tokenId,omitempty"`
	Owner      string         `dynamodbav:"owner,omitempty"`
	At         string         `dynamodbav:"at"`
	Action     string         `dynamodbav:"action"`
	Actor      string         `dynamodbav:"actor"`
	SourceIP   string         `dynamodbav:"sourceIp,omitempty"`
	Details    map[string]any `dynamodbav:"details,omitempty"`
	ExpiresTTL int64          `dynamodbav:"expiresTTL"`
}

func (s *Store) auditPut(ev audit.Event) (types.TransactWriteItem, error) {
	at := ev.At.UTC()
	pk := tokenPK(ev.TokenID)
	if ev.TokenID == "" {
		pk = ownerPK(ev.Owner)
	}
	it := auditItem{
		PK:         pk,
		SK:         auditSK + at.Format(auditTime) + "#" + string(ev.Action),
		TokenID:    ev.TokenID,
		Owner:      ev.Owner,
		At:         at.Format(auditTime),
		Action:     string(ev.Action),
		Actor:      ev.Actor,
		SourceIP:   ev.SourceIP,
		Details:    ev.Details,
		ExpiresTTL: at.Add(s.rules.AuditRetention).Unix(),
	}
	item, err := attributevalue.MarshalMap(it)
	if err != nil {
		return types.TransactWriteItem{}, fmt.Errorf("store: encode audit event: %w", err)
	}
	return s.txPut(item, expression.AttributeNotExists(expression.Name("SK")))
}

// Audit lists a token's audit events, newest first (not those past their TTL).
func (s *Store) Audit(ctx context.Context, tokenID string, now time.Time, limit int32, cursor string) ([]audit.Event, string, error) {
	return s.auditOf(ctx, tokenPK(tokenID), now, limit, cursor)
}

// OwnerAudit lists an owner's own audit events (status changes), newest first.
func (s *Store) OwnerAudit(ctx context.Context, owner string, now time.Time, limit int32, cursor string) ([]audit.Event, string, error) {
	return s.auditOf(ctx, ownerPK(owner), now, limit, cursor)
}

func (s *Store) auditOf(ctx context.Context, pk string, now time.Time, limit int32, cursor string) ([]audit.Event, string, error) {
	cond := expression.Key("PK").Equal(expression.Value(pk)).And(expression.Key("SK").BeginsWith(auditSK))
	live := notPastTTL(now)
	items, next, err := s.queryPage(ctx, query{keyCond: cond, filter: &live, order: Descending}, limit, cursor, auditPage(pk))
	if err != nil {
		return nil, "", err
	}
	out := make([]audit.Event, 0, len(items))
	for _, raw := range items {
		var it auditItem
		if err := attributevalue.UnmarshalMap(raw, &it); err != nil {
			return nil, "", fmt.Errorf("store: decode audit event: %w", err)
		}
		at, err := time.Parse(auditTime, it.At)
		if err != nil {
			return nil, "", fmt.Errorf("store: audit event %s#%s has a bad time: %w", it.PK, it.SK, err)
		}
		out = append(out, audit.Event{TokenID: it.TokenID, Owner: it.Owner, At: at, Action: audit.Action(it.Action), Actor: it.Actor, SourceIP: it.SourceIP, Details: it.Details})
	}
	return out, next, nil
}
