package store

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// quotaSK names an owner's request counter for one quota period
// (plan.Quota.Window's key).
func quotaSK(period string) string { return "USE#" + period }

// quotaKeep is how long a period's counter stays after the period ends, so
// admins can read the last period's use.
const quotaKeep = 35 * 24 * time.Hour

// AddOwnerUse adds n requests to owner's counter for period (ending at
// end) and answers the counter's total after the addition: one atomic
// UpdateItem (ADD), so counts from any number of containers add up.
func (s *Store) AddOwnerUse(ctx context.Context, owner, period string, end time.Time, n int64) (int64, error) {
	upd := expression.Add(expression.Name("count"), expression.Value(n)).
		Set(expression.Name(TTLAttribute), expression.Value(end.Add(quotaKeep).Unix()))
	expr, err := expression.NewBuilder().WithUpdate(upd).Build()
	if err != nil {
		return 0, fmt.Errorf("store: update expression: %w", err)
	}
	out, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(s.table),
		Key:                       key(ownerPK(owner), quotaSK(period)),
		UpdateExpression:          expr.Update(),
		ExpressionAttributeNames:  expr.Names(),
		ExpressionAttributeValues: expr.Values(),
		ReturnValues:              types.ReturnValueUpdatedNew,
	})
	if err != nil {
		return 0, fault("add owner use", err)
	}
	return countOf(out.Attributes)
}

// OwnerUse is owner's request count for period (0 before its first).
func (s *Store) OwnerUse(ctx context.Context, owner, period string) (int64, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(s.table), Key: key(ownerPK(owner), quotaSK(period)),
		ConsistentRead: aws.Bool(true), ProjectionExpression: aws.String("#c"),
		ExpressionAttributeNames: map[string]string{"#c": "count"},
	})
	if err != nil {
		return 0, fault("get owner use", err)
	}
	if out.Item == nil {
		return 0, nil
	}
	return countOf(out.Item)
}

func countOf(item map[string]types.AttributeValue) (int64, error) {
	n, ok := item["count"].(*types.AttributeValueMemberN)
	if !ok {
		return 0, fmt.Errorf("store: owner use without a count")
	}
	v, err := strconv.ParseInt(n.Value, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("store: owner use count %q: %w", n.Value, err)
	}
	return v, nil
}
