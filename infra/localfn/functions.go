// Package localfn builds each function of template.yaml for the local
// stack through app's registry, the one functions/<name>/main.go use: the
// same constructor, with the environment the template gives the function.
package localfn

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

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
		fn, ok := registry.Functions()[id]
		if !ok {
			return nil, fmt.Errorf("%w %q in the registry", ErrUnknownFunction, id)
		}
		h, err := app.Build(ctx, id, fn, localrt.Lookup(env))
		if err != nil {
			return nil, fmt.Errorf("localfn: %w", err)
		}
		out[id] = localrt.Target{ID: id, Handler: h, Timeout: time.Duration(f.Timeout) * time.Second}
	}
	return out, nil
}
