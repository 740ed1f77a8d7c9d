package managefn

import (
	"context"
	"errors"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/keymint/keymint/shared/api"
	"github.com/keymint/keymint/shared/app"
	"github.com/keymint/keymint/shared/manage"
)

// Options picks a Service's options out of the App's configuration and
// plans.
func Options(a *app.App) manage.Options {
	cfg := a.Config
	return manage.Options{TokenPrefix: cfg.TokenPrefix, Rules: cfg.Rules(), SingleToken: cfg.SingleToken, RegenerateExpired: cfg.RegenerateExpired, Plans: a.Plans}
}

// Service is the management Service on the App's table, keyring and
// catalogue. On AWS the App has no keyring (app.App.Keyring): only
// IssueFunction hashes secrets, and shared/app/issuefn builds its Service
// on pepper's.
func Service(a *app.App) *manage.Service {
	return manage.New(a.Store, Hasher(a), a.Catalogue, a.Clock, Options(a))
}

// Hasher is the App's keyring, or one that refuses where the App has none.
func Hasher(a *app.App) manage.Hasher {
	if a.Keyring != nil {
		return a.Keyring
	}
	return noPepper{}
}

// Deps are the management handlers' dependencies on the App.
func Deps(a *app.App) api.Deps { return DepsOn(a, Service(a)) }

// DepsOn are the management handlers' dependencies on the App and svc.
func DepsOn(a *app.App, svc *manage.Service) api.Deps {
	return api.Deps{Service: svc, Catalogue: a.Catalogue, Clock: a.Clock, Log: a.Log}
}

// Describe is DescribeFunction on the App: what functions/describe runs.
func Describe(a *app.App) lambda.Handler { return app.Typed(api.NewDescribe(Deps(a)).Handle) }

// noPepper is the Hasher of a function that issues no secret: it refuses
// rather than read the pepper, which that function may not.
type noPepper struct{}

var errNoPepper = errors.New("managefn: this function hashes no token secrets (IssueFunction does)")

func (noPepper) Hash(context.Context, string) (string, []byte, error) { return "", nil, errNoPepper }
