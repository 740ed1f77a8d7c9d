// Package localfn wires each function of template.yaml to its handler
// constructor, as functions/<name>/main.go does, for the local stack.
package localfn

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/keymint/keymint/infra/localrt"
	"github.com/keymint/keymint/infra/stack"
	"github.com/keymint/keymint/shared/api"
	"github.com/keymint/keymint/shared/app"
	"github.com/keymint/keymint/shared/authz"
	"github.com/keymint/keymint/shared/sweep"
)

// ErrUnknownFunction means a logical id has no handler wired here.
var ErrUnknownFunction = errors.New("localfn: no handler for function")

// NewHandler builds function id exactly as its functions/<name>/main.go
// does: app.New from the environment, then the handler lambda.Start gets.
// Keep this switch in step with functions/.
func NewHandler(ctx context.Context, id string, getenv func(string) string) (lambda.Handler, error) {
	ctor, ok := map[string]func(*app.App) any{
		"IssueFunction":    func(a *app.App) any { return api.NewIssue(a).Handle },
		"RevokeFunction":   func(a *app.App) any { return api.NewRevoke(a).Handle },
		"DescribeFunction": func(a *app.App) any { return api.NewDescribe(a).Handle },
		"ValidateFunction": func(a *app.App) any { return authz.NewHandler(a).Handle },
		"SweeperFunction":  func(a *app.App) any { return sweep.NewHandler(a).Handle },
	}[id]
	if !ok {
		return nil, fmt.Errorf("%w %q", ErrUnknownFunction, id)
	}
	a, err := app.New(ctx, getenv)
	if err != nil {
		return nil, fmt.Errorf("localfn: %s: %w", id, err)
	}
	return lambda.NewHandler(ctor(a)), nil
}

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
		h, err := NewHandler(ctx, id, localrt.Lookup(env))
		if err != nil {
			return nil, err
		}
		out[id] = localrt.Target{ID: id, Handler: h, Timeout: time.Duration(f.Timeout) * time.Second}
	}
	return out, nil
}
