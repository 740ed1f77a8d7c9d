package api

import (
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/keymint/keymint/shared/app"
	"github.com/keymint/keymint/shared/manage"
)

// DepsFrom are the management handlers' dependencies on the App.
func DepsFrom(a *app.App) Deps {
	return Deps{Service: manage.FromApp(a), Catalogue: a.Catalogue, Clock: a.Clock, Log: a.Log}
}

// IssueLambda is IssueFunction on the App: what functions/issue runs.
func IssueLambda(a *app.App) lambda.Handler { return app.Typed(NewIssue(DepsFrom(a)).Handle) }

// RevokeLambda is RevokeFunction on the App: what functions/revoke runs.
func RevokeLambda(a *app.App) lambda.Handler { return app.Typed(NewRevoke(DepsFrom(a)).Handle) }

// DescribeLambda is DescribeFunction on the App: what functions/describe runs.
func DescribeLambda(a *app.App) lambda.Handler { return app.Typed(NewDescribe(DepsFrom(a)).Handle) }
