package revokefn

import (
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/keymint/keymint/shared/api"
	"github.com/keymint/keymint/shared/app"
	"github.com/keymint/keymint/shared/app/managefn"
	"github.com/keymint/keymint/shared/app/usagekeyfn"
	"github.com/keymint/keymint/shared/manage"
)

// Revoke is RevokeFunction on the App: what functions/revoke runs.
func Revoke(a *app.App) lambda.Handler {
	o := managefn.Options(a)
	o.UsageKeys = usagekeyfn.Keys(a)
	svc := manage.New(a.Store, managefn.Hasher(a), a.Catalogue, a.Clock, o)
	return app.Typed(api.NewRevoke(managefn.DepsOn(a, svc)).Handle)
}
