package validatefn

import (
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/keymint/keymint/shared/app"
	"github.com/keymint/keymint/shared/app/pepper"
	"github.com/keymint/keymint/shared/config"
	"github.com/keymint/keymint/shared/extension"
	"github.com/keymint/keymint/shared/validate"
)

// Options picks a Validator's options out of the App's configuration and
// plans.
func Options(a *app.App) validate.Options {
	cfg := a.Config
	return validate.Options{TokenPrefix: cfg.TokenPrefix, Rules: cfg.Rules(), LastUsedInterval: cfg.LastUsedInterval,
		CacheTTL: cfg.CacheTTL, CacheMaxEntries: cfg.CacheMaxEntries, OIDC: cfg.OIDC, Plans: a.Plans}
}

// Lambda is ValidateFunction on the App, its extension registered as it
// is built: the registry's constructor, which the local stack and the
// tests use.
func Lambda(a *app.App) lambda.Handler { return build(a, register(a.Config.RuntimeAPI)) }

// Early is ValidateFunction as functions/validate runs it: the extension's
// registration begins now, from the environment alone, so that it runs
// beside app.New (the AWS SDK's configuration, the clients, the
// catalogue) and a cold start waits for the longer of the two rather than
// both. The handler is Lambda's.
func Early(getenv func(string) string) app.Function {
	reg := register(getenv(config.RuntimeAPIVar))
	return func(a *app.App) lambda.Handler { return build(a, reg) }
}

// registerTimeout bounds the registration; past it, usage is written
// before answering.
const registerTimeout = time.Second

// register begins the post-response extension's registration with the
// Extensions API at runtimeAPI; nil where there is none.
func register(runtimeAPI string) *extension.Pending {
	if runtimeAPI == "" {
		return nil
	}
	return extension.Begin(runtimeAPI, validate.ExtensionName, registerTimeout)
}

func build(a *app.App, reg *extension.Pending) lambda.Handler {
	keys := pepper.Keyring(a)
	v := validate.NewValidator(a.Store, keys, a.Catalogue, a.Clock, Options(a), a.Log)
	return validate.Function(v, keys, a.Catalogue, validate.FunctionOptions{
		IAMForHTTP:  a.Config.AuthorizerResp == "iam",
		Provisioned: a.Config.Provisioned(),
		Extension:   reg,
	}, a.Log)
}
