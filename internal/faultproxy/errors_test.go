package faultproxy_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"
	"github.com/keymint/keymint/internal/faultproxy"
	"github.com/keymint/keymint/internal/testkit"
)

// errorCases are the faults that answer with a DynamoDB error body, with
// what the SDK must make of each.
var errorCases = []struct {
	name     string
	rule     faultproxy.Rule
	status   int
	throttle bool // the SDK's DefaultThrottles classify it as a throttle
	typed    func(error) bool
}{
	{"Throttle", faultproxy.Rule{Kind: faultproxy.Throttle}, http.StatusBadRequest, true,
		isA[*types.ThrottlingException]},
	{"Throttle/ProvisionedThroughputExceeded",
		faultproxy.Rule{Kind: faultproxy.Throttle, Code: "ProvisionedThroughputExceededException"},
		http.StatusBadRequest, true, isA[*types.ProvisionedThroughputExceededException]},
	{"Throttle/RequestLimitExceeded",
		faultproxy.Rule{Kind: faultproxy.Throttle, Code: "RequestLimitExceeded"},
		http.StatusBadRequest, true, isA[*types.RequestLimitExceeded]},
	{"ServerError", faultproxy.Rule{Kind: faultproxy.ServerError}, http.StatusInternalServerError, false,
		isA[*types.InternalServerError]},
	// DynamoDB's model has no 503 exception, so the SDK falls back to a
	// generic API error carrying the code from __type.
	{"Unavailable", faultproxy.Rule{Kind: faultproxy.Unavailable}, http.StatusServiceUnavailable, false,
		func(err error) bool {
			var g *smithy.GenericAPIError
			return errors.As(err, &g) && g.Code == "ServiceUnavailable"
		}},
}

func TestErrorFaultsReachTheSDKTyped(t *testing.T) {
	t.Parallel()
	direct, table := testkit.NewTable(t)
	standard := retry.NewStandard()
	throttles := retry.IsErrorThrottles(retry.DefaultThrottles)
	for _, tc := range errorCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p, via := startProxy(t)
			inject(t, p, tc.rule)

			err := put(context.Background(), via, table, t.Name(), noRetry)
			if !tc.typed(err) {
				t.Fatalf("PutItem error = %T %v, not the expected typed error", err, err)
			}
			var re *awshttp.ResponseError
			if !errors.As(err, &re) {
				t.Fatalf("PutItem error %T does not wrap *awshttp.ResponseError", err)
			}
			if re.HTTPStatusCode() != tc.status {
				t.Errorf("status = %d, want %d", re.HTTPStatusCode(), tc.status)
			}
			if len(re.ServiceRequestID()) != 52 {
				t.Errorf("request ID = %q, want DynamoDB's 52-character form", re.ServiceRequestID())
			}
			// The same checks the client's retryer runs.
			if !standard.IsErrorRetryable(err) {
				t.Error("standard retryer does not retry it")
			}
			if got := throttles.IsErrorThrottle(err).Bool(); got != tc.throttle {
				t.Errorf("classified as throttle = %v, want %v", got, tc.throttle)
			}

			st := p.Stats()
			if n := st.Injected["PutItem"][tc.rule.Kind]; n != 1 {
				t.Errorf("Injected[PutItem][%v] = %d, want 1", tc.rule.Kind, n)
			}
			if n := st.Forwarded["PutItem"]; n != 0 {
				t.Errorf("Forwarded[PutItem] = %d, want 0: an error fault must not reach DynamoDB", n)
			}
			if exists(t, direct, table, t.Name()) {
				t.Error("item was written although the request was answered with an error")
			}
		})
	}
}

// The standard retryer, untouched, gets past one fault of every kind it
// considers retryable.
func TestDefaultRetryerRecoversFromOneFault(t *testing.T) {
	t.Parallel()
	direct, table := testkit.NewTable(t)
	tests := []struct {
		kind      faultproxy.Kind
		forwarded int // DropAfter's first attempt reached DynamoDB too
	}{
		{faultproxy.Throttle, 1},
		{faultproxy.ServerError, 1},
		{faultproxy.Unavailable, 1},
		{faultproxy.DropBefore, 1},
		{faultproxy.DropAfter, 2},
	}
	for _, tc := range tests {
		t.Run(tc.kind.String(), func(t *testing.T) {
			t.Parallel()
			p, via := startProxy(t)
			inject(t, p, faultproxy.Rule{Kind: tc.kind, Ops: []string{"PutItem"}, Times: 1})

			if err := put(context.Background(), via, table, t.Name()); err != nil {
				t.Fatalf("PutItem with the default retryer: %v", err)
			}
			st := p.Stats()
			if n := st.Injected["PutItem"][tc.kind]; n != 1 {
				t.Errorf("Injected[PutItem][%v] = %d, want 1 (was the fault injected at all?)", tc.kind, n)
			}
			if n := st.Forwarded["PutItem"]; n != tc.forwarded {
				t.Errorf("Forwarded[PutItem] = %d, want %d", n, tc.forwarded)
			}
			if !exists(t, direct, table, t.Name()) {
				t.Error("item missing after a successful retried PutItem")
			}
		})
	}
}
