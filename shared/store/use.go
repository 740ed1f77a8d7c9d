package store

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// Touch records that tok was used at now from ip, at most once per interval
// per token. It does not bump version: use is not a state change. It is
// conditional on the version validate read, so the derived expiresTTL and
// sweeper deadline it writes are computed from current facts; a lost race
// just skips this write. Returns whether it wrote.
func (s *Store) Touch(ctx context.Context, tok *Record, now time.Time, ip string, interval time.Duration) (bool, error) {
	used := tok.Clone()
	used.LastUsedAt = now.Unix()
	used.LastUsedIP = ip
	derive(used, s.rules)

	upd := expression.Set(expression.Name("lastUsedAt"), expression.Value(used.LastUsedAt)).
		Set(expression.Name("expiresTTL"), expression.Value(used.ExpiresTTL)).
		Set(expression.Name("GSI2SK"), expression.Value(used.GSI2SK))
	if ip != "" {
		upd = upd.Set(expression.Name("lastUsedIp"), expression.Value(ip))
	}
	cond := expression.Name("version").Equal(expression.Value(tok.Version)).And(
		expression.Or(
			expression.AttributeNotExists(expression.Name("lastUsedAt")),
			expression.Name("lastUsedAt").LessThanEqual(expression.Value(now.Add(-interval).Unix())),
		))
	wrote, err := s.updateIf(ctx, key(tokenPK(tok.ID), metaSK), upd, cond)
	if err != nil {
		return false, fmt.Errorf("store: touch token %s: %w", tok.ID, err)
	}
	return wrote, nil
}

// IPUse is one source IP's use of a token.
type IPUse struct {
	IP        string `dynamodbav:"ip" json:"ip"`
	FirstSeen int64  `dynamodbav:"firstSeen" json:"-"`
	LastSeen  int64  `dynamodbav:"lastSeen" json:"-"`
	Count     int64  `dynamodbav:"count" json:"count"`
}

// RecordUse adds n uses from ip to the token's usage log. It always
// writes: callers count uses in memory and call it at most once per token
// and IP per interval (validate flushes when lastUsedAt is due), so a
// condition here would only make one container's counts wait behind
// another's, and a container that always lost that race would never land
// its counts.
func (s *Store) RecordUse(ctx context.Context, tokenID, ip string, n int64, now time.Time) error {
	ttl := now.Add(s.rules.DeleteAfterIdle).Unix()
	upd := expression.Set(expression.Name("ip"), expression.Value(ip)).
		Set(expression.Name("tokenId"), expression.Value(tokenID)).
		Set(expression.Name("firstSeen"), expression.IfNotExists(expression.Name("firstSeen"), expression.Value(now.Unix()))).
		Set(expression.Name("lastSeen"), expression.Value(now.Unix())).
		Set(expression.Name(TTLAttribute), expression.Value(ttl)).
		Add(expression.Name("count"), expression.Value(n))
	expr, err := expression.NewBuilder().WithUpdate(upd).Build()
	if err != nil {
		return fmt.Errorf("store: update expression: %w", err)
	}
	_, err = s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(s.table),
		Key:                       key(tokenPK(tokenID), ipSK(ip)),
		UpdateExpression:          expr.Update(),
		ExpressionAttributeNames:  expr.Names(),
		ExpressionAttributeValues: expr.Values(),
	})
	if err != nil {
		return fmt.Errorf("store: record use of %s: %w", tokenID, fault("update", err))
	}
	return nil
}

// Usage lists the source IPs that used a token (not those past their TTL).
func (s *Store) Usage(ctx context.Context, tokenID string, now time.Time, limit int32, cursor string) ([]IPUse, string, error) {
	pk := tokenPK(tokenID)
	keyCond := expression.Key("PK").Equal(expression.Value(pk)).And(expression.Key("SK").BeginsWith(ipSKPre))
	live := notPastTTL(now)
	items, next, err := s.queryPage(ctx, query{keyCond: keyCond, filter: &live, order: Ascending}, limit, cursor, usagePage(tokenID))
	if err != nil {
		return nil, "", err
	}
	out := make([]IPUse, 0, len(items))
	for _, raw := range items {
		var u IPUse
		if err := attributevalue.UnmarshalMap(raw, &u); err != nil {
			return nil, "", fmt.Errorf("store: decode usage: %w", err)
		}
		out = append(out, u)
	}
	return out, next, nil
}
