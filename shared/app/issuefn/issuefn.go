package issuefn

import (
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/keymint/keymint/shared/api"
	"github.com/keymint/keymint/shared/app"
	"github.com/keymint/keymint/shared/app/managefn"
	"github.com/keymint/keymint/shared/app/pepper"
	"github.com/keymint/keymint/shared/app/usagekeyfn"
	"github.com/keymint/keymint/shared/manage"
)

// Issue is IssueFunction on the App: what functions/issue runs.
func Issue(a *app.App) lambda.Handler {
	o := managefn.Options(a)
	o.UsageKeys = usagekeyfn.Keys(a)
	svc := manage.New(a.Store, pepper.Keyring(a), a.Catalogue, a.Clock, o)
	return app.Typed(api.NewIssue(managefn.DepsOn(a, svc)).Handle)
}
