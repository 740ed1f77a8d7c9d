// Package localrt runs keymint's functions in-process the way Lambda would:
// environment from template.yaml, one handler per function built once, and
// invocations through lambda.Handler with a Lambda context and deadline. It
// is the shared core of the local API server and the local invoker.
package localrt

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"reflect"
	"runtime/debug"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

// FunctionError is a failed invocation in Lambda's wire format.
type FunctionError struct {
	Message string `json:"errorMessage"`
	Type    string `json:"errorType"`
	// Stack is the goroutine stack of a panic, for the local log only.
	Stack []byte `json:"-"`
}

func (e *FunctionError) Error() string { return e.Message }

// Error types Lambda reports for failures of the sandbox, not the handler.
const (
	ErrorTypeTimeout = "Sandbox.Timedout"
)

// IsTimeout reports whether err is an invocation that ran out of time.
func IsTimeout(err error) bool {
	var fe *FunctionError
	return errors.As(err, &fe) && fe.Type == ErrorTypeTimeout
}

// Target is one function ready to invoke.
type Target struct {
	ID      string // logical id
	Handler lambda.Handler
	Timeout time.Duration // 0: no deadline
}

// ARN is the fake ARN the local stack gives a function.
func ARN(id string) string {
	return "arn:aws:lambda:us-east-1:123456789012:function:" + id
}

// Invoke calls t with payload as Lambda would: a context carrying the
// request id and function ARN, the function's timeout as deadline, and
// panics turned into errors. Handler errors come back as *FunctionError,
// named the way aws-lambda-go names them ("errorString" for errors.New).
func Invoke(ctx context.Context, t Target, payload []byte) ([]byte, error) {
	ctx = lambdacontext.NewContext(ctx, &lambdacontext.LambdaContext{
		AwsRequestID:       RequestID(),
		InvokedFunctionArn: ARN(t.ID),
	})
	parent, cancel := ctx, func() {}
	if t.Timeout > 0 {
		ctx, cancel = context.WithTimeout(ctx, t.Timeout)
	}
	defer cancel()

	type result struct {
		out []byte
		err error
	}
	// Buffered so a handler that outlives its deadline can still finish.
	done := make(chan result, 1)
	go func() {
		defer func() {
			if v := recover(); v != nil {
				done <- result{err: &FunctionError{
					Message: fmt.Sprint(v),
					Type:    typeName(v),
					Stack:   debug.Stack(),
				}}
			}
		}()
		out, err := t.Handler.Invoke(ctx, payload)
		done <- result{out, err}
	}()
	select {
	case r := <-done:
		if r.err != nil {
			return nil, asFunctionError(r.err)
		}
		return r.out, nil
	case <-ctx.Done():
		// Only the function's own deadline is its timeout; a caller that
		// stopped waiting first (API Gateway's integration timeout) is not.
		if errors.Is(ctx.Err(), context.DeadlineExceeded) && t.Timeout > 0 && parent.Err() == nil {
			return nil, &FunctionError{
				Message: fmt.Sprintf("Task timed out after %.2f seconds", t.Timeout.Seconds()),
				Type:    ErrorTypeTimeout,
			}
		}
		return nil, &FunctionError{Message: ctx.Err().Error(), Type: typeName(ctx.Err())}
	}
}

func asFunctionError(err error) *FunctionError {
	var fe *FunctionError
	if errors.As(err, &fe) {
		return fe
	}
	// A handler may return Lambda's own error value to choose its type.
	var ive messages.InvokeResponse_Error
	if errors.As(err, &ive) {
		return &FunctionError{Message: ive.Message, Type: ive.Type}
	}
	return &FunctionError{Message: err.Error(), Type: typeName(err)}
}

// typeName mirrors aws-lambda-go's errorType: the type's name, pointer
// dereferenced.
func typeName(v any) string {
	t := reflect.TypeOf(v)
	if t == nil {
		return ""
	}
	if t.Kind() == reflect.Pointer {
		return t.Elem().Name()
	}
	return t.Name()
}

// RequestID is a random id in the shape Lambda uses (a UUID).
func RequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
