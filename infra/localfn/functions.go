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

	"github.com/keymint/keymint/infra/localrt"
	"github.com/keymint/keymint/infra/stack"
	"github.com/keymint/keymint/shared/app"
)

// ErrUnknownFunction means a logical id is not in the template.
var ErrUnknownFunction = errors.New("localfn: no such function")

// Build makes a Target for each named function (all when ids is empty).
func Build(ctx context.Context, st *stack.Stack, o localrt.EnvOptions, ids ...string) (map[string]localrt.Target, error) {
	if len(ids) == 0 {
		ids = slices.Sorted(maps.Keys(st.Functions))
	}
	out := make(map[string]localrt.Target, len(ids))
	for _, id := range ids {
		f, ok := st.Functions[id]
		if !ok {
			return nil, fmt.Errorf("%w %q in the template (have %v)", ErrUnknownFunction, id, slices.Sorted(maps.Keys(st.Functions)))
		}
		env, err := localrt.FunctionEnv(f, o)
		if err != nil {
			return nil, err
		}
		h, err := build(ctx, id, env)
		if err != nil {
			return nil, err
		}
		out[id] = localrt.Target{ID: id, Handler: h, Timeout: time.Duration(f.Timeout) * time.Second}
	}
	return out, nil
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
