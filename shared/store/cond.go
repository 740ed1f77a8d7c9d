package store

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Every write here is guarded: these helpers build the guarded forms once.

func conditionOf(cond expression.ConditionBuilder) (expression.Expression, error) {
	expr, err := expression.NewBuilder().WithCondition(cond).Build()
	if err != nil {
		return expr, fmt.Errorf("store: condition: %w", err)
	}
	return expr, nil
}

func (s *Store) txPut(item map[string]types.AttributeValue, cond expression.ConditionBuilder) (types.TransactWriteItem, error) {
	e, err := conditionOf(cond)
	return types.TransactWriteItem{Put: &types.Put{TableName: aws.String(s.table), Item: item,
		ConditionExpression: e.Condition(), ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values()}}, err
}

func (s *Store) txDelete(k map[string]types.AttributeValue, cond expression.ConditionBuilder) (types.TransactWriteItem, error) {
	e, err := conditionOf(cond)
	return types.TransactWriteItem{Delete: &types.Delete{TableName: aws.String(s.table), Key: k,
		ConditionExpression: e.Condition(), ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values()}}, err
}

func (s *Store) txCheck(k map[string]types.AttributeValue, cond expression.ConditionBuilder) (types.TransactWriteItem, error) {
	e, err := conditionOf(cond)
	return types.TransactWriteItem{ConditionCheck: &types.ConditionCheck{TableName: aws.String(s.table), Key: k,
		ConditionExpression: e.Condition(), ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values()}}, err
}

func (s *Store) txUpdate(k map[string]types.AttributeValue, upd expression.UpdateBuilder, cond expression.ConditionBuilder) (types.TransactWriteItem, error) {
	e, err := expression.NewBuilder().WithUpdate(upd).WithCondition(cond).Build()
	if err != nil {
		return types.TransactWriteItem{}, fmt.Errorf("store: update expression: %w", err)
	}
	return types.TransactWriteItem{Update: &types.Update{TableName: aws.String(s.table), Key: k, UpdateExpression: e.Update(),
		ConditionExpression: e.Condition(), ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values()}}, nil
}

// updateIf applies upd when cond holds. A lost condition is an outcome
// (false, nil), not an error: the callers' writes are best-effort or
// idempotent and another writer got there first.
func (s *Store) updateIf(ctx context.Context, k map[string]types.AttributeValue, upd expression.UpdateBuilder, cond expression.ConditionBuilder) (bool, error) {
	expr, err := expression.NewBuilder().WithUpdate(upd).WithCondition(cond).Build()
	if err != nil {
		return false, fmt.Errorf("store: update expression: %w", err)
	}
	_, err = s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(s.table),
		Key:                       k,
		UpdateExpression:          expr.Update(),
		ConditionExpression:       expr.Condition(),
		ExpressionAttributeNames:  expr.Names(),
		ExpressionAttributeValues: expr.Values(),
	})
	if isConditionFailed(err) {
		return false, nil
	}
	if err != nil {
		return false, fault("update", err)
	}
	return true, nil
}

// putIf writes item when cond holds; a lost condition is (false, nil).
func (s *Store) putIf(ctx context.Context, item map[string]types.AttributeValue, cond expression.ConditionBuilder) (bool, error) {
	e, err := conditionOf(cond)
	if err != nil {
		return false, err
	}
	_, err = s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(s.table), Item: item,
		ConditionExpression: e.Condition(), ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values()})
	if isConditionFailed(err) {
		return false, nil
	}
	if err != nil {
		return false, fault("put", err)
	}
	return true, nil
}
