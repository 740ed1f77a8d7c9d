package faultproxy_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/keymint/keymint/internal/faultproxy"
	"github.com/keymint/keymint/internal/testkit"
)

func TestDropsLookLikeConnectionFailures(t *testing.T) {
	t.Parallel()
	direct, table := testkit.NewTable(t)
	tests := []struct {
		kind      faultproxy.Kind
		written   bool
		forwarded int
	}{
		{faultproxy.DropBefore, false, 0},
		// The point of DropAfter: the client fails, yet the write is there.
		{faultproxy.DropAfter, true, 1},
	}
	for _, tc := range tests {
		t.Run(tc.kind.String(), func(t *testing.T) {
			t.Parallel()
			p, via := startProxy(t)
			inject(t, p, faultproxy.Rule{Kind: tc.kind})

			err := put(context.Background(), via, table, t.Name(), noRetry)
			if !isA[*smithyhttp.RequestSendError](err) {
				t.Fatalf("PutItem error = %T %v, want a *smithyhttp.RequestSendError", err, err)
			}
			if isA[smithy.APIError](err) {
				t.Errorf("PutItem error %v carries an API error; a dropped connection has no response", err)
			}
			if !retry.NewStandard().IsErrorRetryable(err) {
				t.Error("standard retryer does not retry a dropped connection")
			}
			st := p.Stats()
			if n := st.Injected["PutItem"][tc.kind]; n != 1 {
				t.Errorf("Injected[PutItem][%v] = %d, want 1", tc.kind, n)
			}
			if n := st.Forwarded["PutItem"]; n != tc.forwarded {
				t.Errorf("Forwarded[PutItem] = %d, want %d", n, tc.forwarded)
			}
			if got := exists(t, direct, table, t.Name()); got != tc.written {
				t.Errorf("item in table = %v, want %v", got, tc.written)
			}
		})
	}
}

// The hazard DropAfter exists to expose: the SDK retries the lost answer,
// and a create-if-absent write then fails against its own first attempt.
func TestDropAfterRetryTripsOwnCondition(t *testing.T) {
	t.Parallel()
	direct, table := testkit.NewTable(t)
	p, via := startProxy(t)
	inject(t, p, faultproxy.Rule{Kind: faultproxy.DropAfter, Times: 1})

	_, err := via.PutItem(context.Background(), &dynamodb.PutItemInput{
		TableName:           aws.String(table),
		Item:                key(t.Name()),
		ConditionExpression: aws.String("attribute_not_exists(PK)"),
	})
	if !isA[*types.ConditionalCheckFailedException](err) {
		t.Fatalf("PutItem error = %T %v, want ConditionalCheckFailedException from the retry", err, err)
	}
	if n := p.Stats().Forwarded["PutItem"]; n != 2 {
		t.Errorf("Forwarded[PutItem] = %d, want 2 (original and retry)", n)
	}
	if !exists(t, direct, table, t.Name()) {
		t.Error("first attempt's write is missing")
	}
}
