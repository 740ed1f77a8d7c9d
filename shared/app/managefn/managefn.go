package managefn

import (
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/keymint/keymint/shared/api"
	"github.com/keymint/keymint/shared/app"
	"github.com/keymint/keymint/shared/config"
	"github.com/keymint/keymint/shared/manage"
)

// Options picks a Service's options out of the configuration.
func Options(cfg config.Config) manage.Options {
	return manage.Options{TokenPrefix: cfg.TokenPrefix, Rules: cfg.Rules(), SingleToken: cfg.SingleToken, RegenerateExpired: cfg.RegenerateExpired}
}

// Service is the management Service on the App's table, keyring and
// catalogue.
func Service(a *app.App) *manage.Service {
	return manage.New(a.Store, a.Keyring, a.Catalogue, a.Clock, Options(a.Config))
}

// Deps are the management handlers' dependencies on the App.
func Deps(a *app.App) api.Deps {
	return api.Deps{Service: Service(a), Catalogue: a.Catalogue, Clock: a.Clock, Log: a.Log}
}

// Issue is IssueFunction on the App: what functions/issue runs.
func Issue(a *app.App) lambda.Handler { return app.Typed(api.NewIssue(Deps(a)).Handle) }

// Revoke is RevokeFunction on the App: what functions/revoke runs.
func Revoke(a *app.App) lambda.Handler { return app.Typed(api.NewRevoke(Deps(a)).Handle) }

// Describe is DescribeFunction on the App: what functions/describe runs.
func Describe(a *app.App) lambda.Handler { return app.Typed(api.NewDescribe(Deps(a)).Handle) }
