// Package localrt runs keymint's functions in-process the way Lambda would:
// environment from template.yaml, one handler per function built once, and
// invocations through lambda.Handler with a Lambda context and deadline. It
// is the shared core of the local API server and the local invoker.
package localrt

import (
	"context"
	"errors"
	"fmt"
	"github.com/google/uuid"
	"reflect"
	"runtime/debug"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/keymint/keymint/internal/extapi"
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
	// ErrorTypeEnvironment is an execution environment that is gone (the
	// local stack closed it), as Lambda names a runtime that exited
	// (https://repost.aws/knowledge-center/lambda-runtime-error).
	ErrorTypeEnvironment = "Runtime.ExitError"
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
	// Env is the function's execution environment as extensions see it
	// (the Extensions API at its AWS_LAMBDA_RUNTIME_API); nil: none, and
	// Invoke calls the handler directly.
	Env *extapi.Server
}

// Settled waits (up to ctx) until t's extensions are done with every
// invocation so far, the moment Lambda would freeze the environment: what
// a test waits for before looking at work done after the answer.
func (t Target) Settled(ctx context.Context) error {
	if t.Env == nil {
		return nil
	}
	return t.Env.Settled(ctx)
}

// ARN is the fake ARN the local stack gives a function.
func ARN(id string) string {
	return "arn:aws:lambda:us-east-1:123456789012:function:" + id
}

// Invoke calls t with payload as Lambda would: a context carrying the
// request id and function ARN, the function's timeout as deadline, and
// panics turned into errors. With an Env, the invocation runs through it:
// its extensions get the INVOKE event, and the answer does not wait for
// them. Handler errors come back as *FunctionError, named the way
// aws-lambda-go names them ("errorString" for errors.New).
func Invoke(ctx context.Context, t Target, payload []byte) ([]byte, error) {
	requestID := RequestID()
	ctx = lambdacontext.NewContext(ctx, &lambdacontext.LambdaContext{
		AwsRequestID:       requestID,
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
	run := func() {
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
	}
	go func() {
		if t.Env == nil {
			run()
			return
		}
		deadline, _ := ctx.Deadline()
		// Init not over in time: the invocation's own timeout (or the
		// caller's) ends it below, as a first invocation's Init times out
		// with Sandbox.Timedout on Lambda
		// (https://docs.aws.amazon.com/lambda/latest/dg/troubleshooting-invocation.html).
		// Any other failure is the environment's.
		if err := t.Env.Invoke(ctx, requestID, deadline, run); err != nil && ctx.Err() == nil {
			done <- result{err: &FunctionError{Message: err.Error(), Type: ErrorTypeEnvironment}}
		}
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
func RequestID() string { return uuid.NewString() }
