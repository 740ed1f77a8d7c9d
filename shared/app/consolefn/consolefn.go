package consolefn

import (
	"context"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/keymint/keymint/shared/app"
	"github.com/keymint/keymint/shared/console"
	"github.com/keymint/keymint/shared/lifecycle"
)

// Settings picks the console's settings from the App.
func Settings(a *app.App) console.Settings {
	c := a.Config
	return console.Settings{OIDC: c.OIDC, DefaultLifetime: c.DefaultLifetime, MaxLifetime: c.MaxLifetime, MaxGrace: lifecycle.MaxGrace,
		LastUsedInterval: c.LastUsedInterval, SingleToken: c.SingleToken, Log: a.Log}
}

// Lambda is ConsoleFunction on the App: what functions/console runs.
func Lambda(a *app.App) lambda.Handler {
	c, err := console.New(Settings(a))
	if err != nil {
		// The files are embedded at build, so this does not happen; if it
		// did, every request fails with the cause rather than the process.
		return app.Typed(func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
			return events.APIGatewayV2HTTPResponse{}, err
		})
	}
	return app.Typed(c.Handle)
}
