package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-lambda-go/lambda"
)

// Function builds one Lambda function's handler from the App. Each
// function's wiring package exports its own (validatefn.Lambda,
// issuefn.Issue, …);
// shared/registry lists them all for the local stack, and each
// functions/<name>/main.go names only its own, so a bootstrap links and
// initialises only the packages its function runs.
type Function func(a *App) lambda.Handler

// Build is a function as Lambda runs it: the App from the environment read
// through getenv, then fn. id names the function in errors.
func Build(ctx context.Context, id string, fn Function, getenv func(string) string) (lambda.Handler, error) {
	a, err := New(ctx, getenv)
	if err != nil {
		return nil, fmt.Errorf("app: %s: %w", id, err)
	}
	return fn(a), nil
}

// Typed adapts a handler of typed events to aws-lambda-go's byte-level
// lambda.Handler as lambda.NewHandler does: the event decoded with
// encoding/json's Decoder, the answer encoded with HTML escaping off and
// without the encoder's trailing newline. Unlike lambda.NewHandler, whose
// Invoke returns the bytes of a pooled buffer that its next call
// overwrites (aws/aws-lambda-go#639, open), the bytes returned are the
// caller's: the local stack invokes concurrently and keeps answers.
func Typed[In, Out any](fn func(context.Context, In) (Out, error)) lambda.Handler {
	return typed[In, Out](fn)
}

type typed[In, Out any] func(context.Context, In) (Out, error)

func (h typed[In, Out]) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	var in In
	if err := json.NewDecoder(bytes.NewReader(payload)).Decode(&in); err != nil {
		return nil, err
	}
	out, err := h(ctx, in)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(out); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}
