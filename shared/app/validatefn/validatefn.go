package validatefn

import (
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/keymint/keymint/shared/app"
	"github.com/keymint/keymint/shared/config"
	"github.com/keymint/keymint/shared/validate"
)

// Options picks a Validator's options out of the configuration.
func Options(cfg config.Config) validate.Options {
	return validate.Options{TokenPrefix: cfg.TokenPrefix, Rules: cfg.Rules(), LastUsedInterval: cfg.LastUsedInterval,
		CacheTTL: cfg.CacheTTL, CacheMaxEntries: cfg.CacheMaxEntries, OIDC: cfg.OIDC}
}

// Lambda is ValidateFunction on the App: what functions/validate runs.
func Lambda(a *app.App) lambda.Handler {
	v := validate.NewValidator(a.Store, a.Keyring, a.Catalogue, a.Clock, Options(a.Config), a.Log)
	return validate.Function(v, a.Keyring, a.Catalogue, validate.FunctionOptions{
		IAMForHTTP:  a.Config.AuthorizerResp == "iam",
		Provisioned: a.Config.Provisioned(),
		RuntimeAPI:  a.Config.RuntimeAPI,
	}, a.Log)
}
