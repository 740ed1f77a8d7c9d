package localfn

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/keymint/keymint/shared/registry"

	"github.com/keymint/keymint/internal/extapi"
	"github.com/keymint/keymint/internal/localrt"
	"github.com/keymint/keymint/internal/stack"
	"github.com/keymint/keymint/shared/app"
)

// ErrUnknownFunction means a logical id is not in the template.
var ErrUnknownFunction = errors.New("localfn: no such function")

// Functions are built functions by logical id. Each has its execution
// environment's Extensions API listening on loopback: Close them when the
// stack stops.
type Functions map[string]localrt.Target

// shutdownGrace bounds how long Close waits for extensions to finish the
// work of past invocations: Lambda never shuts an environment down in the
// middle of an invocation, and gives its Shutdown phase 2000 ms at most
// (https://docs.aws.amazon.com/lambda/latest/dg/runtimes-extensions-api.html#runtimes-lifecycle-shutdown).
const shutdownGrace = 2 * time.Second

// Close ends every function's execution environment, once its extensions
// are done with past invocations or shutdownGrace has passed.
func (fns Functions) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	var errs []error
	for _, id := range slices.Sorted(maps.Keys(fns)) {
		if env := fns[id].Env; env != nil {
			_ = env.Settled(ctx) // what is not done by then is cut short
			if err := env.Close(); err != nil {
				errs = append(errs, fmt.Errorf("localfn: close %s: %w", id, err))
			}
		}
	}
	return errors.Join(errs...)
}

// Build makes a Target for each named function (all when ids is empty),
// each in an execution environment of its own: the Extensions API is up
// and in the function's AWS_LAMBDA_RUNTIME_API before its constructor
// runs, so extensions register during the function's Init, as on Lambda,
// and registration closes when the constructor returns (the runtime's
// first Next). On error, nothing is left running.
func Build(ctx context.Context, st *stack.Stack, o localrt.EnvOptions, ids ...string) (Functions, error) {
	if len(ids) == 0 {
		ids = slices.Sorted(maps.Keys(st.Functions))
	}
	out := make(Functions, len(ids))
	for _, id := range ids {
		t, err := buildOne(ctx, st, o, id)
		if err != nil {
			_ = out.Close()
			return nil, err
		}
		out[id] = t
	}
	return out, nil
}

func buildOne(ctx context.Context, st *stack.Stack, o localrt.EnvOptions, id string) (localrt.Target, error) {
	f, ok := st.Functions[id]
	if !ok {
		return localrt.Target{}, fmt.Errorf("%w %q in the template (have %v)", ErrUnknownFunction, id, slices.Sorted(maps.Keys(st.Functions)))
	}
	env, err := extapi.Start(extapi.Function{Name: id, Version: localrt.FunctionVersion, Handler: f.Handler, ARN: localrt.ARN(id)})
	if err != nil {
		return localrt.Target{}, fmt.Errorf("localfn: %s: %w", id, err)
	}
	o.RuntimeAPI = env.Addr()
	vars, err := localrt.FunctionEnv(f, o)
	if err != nil {
		_ = env.Close()
		return localrt.Target{}, err
	}
	h, err := build(ctx, id, vars)
	if err != nil {
		_ = env.Close()
		return localrt.Target{}, err
	}
	env.RuntimeReady()
	return localrt.Target{ID: id, Handler: h, Timeout: time.Duration(f.Timeout) * time.Second, Env: env}, nil
}

// build makes one function's handler as its main.go does: through app.Build
// with the function's environment, or, for a function that needs no App
// (registry.Standalone: it reads no keymint setting), as it is.
func build(ctx context.Context, id string, env map[string]string) (lambda.Handler, error) {
	if fn, ok := registry.Functions()[id]; ok {
		h, err := app.Build(ctx, id, fn, localrt.Lookup(env))
		if err != nil {
			return nil, fmt.Errorf("localfn: %w", err)
		}
		return h, nil
	}
	if h, ok := registry.Standalone()[id]; ok {
		return h, nil
	}
	return nil, fmt.Errorf("%w %q in the registry", ErrUnknownFunction, id)
}
