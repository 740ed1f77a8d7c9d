package app

import (
	"context"
	"fmt"
	"maps"
	"path/filepath"
	"slices"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/keymint/keymint/shared/api"
	"github.com/keymint/keymint/shared/manage"
	"github.com/keymint/keymint/shared/sweep"
	"github.com/keymint/keymint/shared/validate"
)

// Function builds one Lambda function's handler from the App.
type Function func(a *App) lambda.Handler

// Functions is the registry: every function of template.yaml, by logical
// id. functions/*/main.go and the local stack build handlers only through
// it, so what runs locally is what runs on Lambda.
func Functions() map[string]Function {
	return map[string]Function{
		"IssueFunction":    func(a *App) lambda.Handler { return lambda.NewHandler(api.NewIssue(a.APIDeps()).Handle) },
		"RevokeFunction":   func(a *App) lambda.Handler { return lambda.NewHandler(api.NewRevoke(a.APIDeps()).Handle) },
		"DescribeFunction": func(a *App) lambda.Handler { return lambda.NewHandler(api.NewDescribe(a.APIDeps()).Handle) },
		"ValidateFunction": func(a *App) lambda.Handler { return lambda.NewHandler(a.ValidateHandler().Handle) },
		"SweeperFunction":  func(a *App) lambda.Handler { return lambda.NewHandler(sweep.NewHandler(a.Sweeper()).Handle) },
	}
}

// FunctionIDs lists the registry's logical ids, sorted.
func FunctionIDs() []string { return slices.Sorted(maps.Keys(Functions())) }

// Handler builds function id as Lambda runs it: the App from the
// environment read through getenv, then the registry's constructor.
func Handler(ctx context.Context, id string, getenv func(string) string) (lambda.Handler, error) {
	fn, ok := Functions()[id]
	if !ok {
		return nil, fmt.Errorf("app: no function %q (have %v)", id, FunctionIDs())
	}
	a, err := New(ctx, getenv)
	if err != nil {
		return nil, fmt.Errorf("app: %s: %w", id, err)
	}
	return fn(a), nil
}

// Service is the management operations on the App's table and keyring.
func (a *App) Service() *manage.Service {
	return manage.New(a.Store, a.Keyring, a.Catalogue, a.Clock, manage.OptionsFrom(a.Config))
}

// APIDeps are the management handlers' dependencies on the App.
func (a *App) APIDeps() api.Deps {
	return api.Deps{Service: a.Service(), Catalogue: a.Catalogue, Clock: a.Clock, Log: a.Log}
}

// ValidateHandler is the validate function's handler on the App.
func (a *App) ValidateHandler() *validate.Handler {
	v := validate.NewValidator(a.Store, a.Keyring, a.Catalogue, a.Clock, validate.OptionsFrom(a.Config), a.Log)
	return validate.New(v, a.Catalogue, a.Config.AuthorizerResp == "iam", a.Log)
}

// Sweeper is the sweeper on the App. It sends notices to the configured
// event bus, or appends them to LOCAL_DIR/notices.jsonl when there is none
// (local stacks).
func (a *App) Sweeper() *sweep.Sweeper {
	var n sweep.Notifier
	if a.Config.EventBusName != "" {
		n = sweep.NewEventBridgeNotifier(eventbridge.NewFromConfig(a.AWS), a.Config.EventBusName)
	} else {
		n = sweep.NewFileNotifier(filepath.Join(a.Config.LocalDir, sweep.NoticesFile))
	}
	return sweep.New(a.Store, n, a.Clock, a.Log, sweep.ClockOverride(a.Config.AllowClockOverride))
}
