package sweeperfn

import (
	"path/filepath"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/keymint/keymint/shared/app"
	"github.com/keymint/keymint/shared/sweep"
)

// Sweeper is the sweeper on the App. It sends notices to the configured
// event bus, or appends them to LOCAL_DIR/notices.jsonl when there is none
// (local stacks).
func Sweeper(a *app.App) *sweep.Sweeper {
	var n sweep.Notifier
	if a.Config.EventBusName != "" {
		n = sweep.NewEventBridgeNotifier(eventbridge.NewFromConfig(a.AWS), a.Config.EventBusName)
	} else {
		n = sweep.NewFileNotifier(filepath.Join(a.Config.LocalDir, sweep.NoticesFile))
	}
	return sweep.New(a.Store, n, a.Clock, a.Log, sweep.ClockOverride(a.Config.AllowClockOverride))
}

// Lambda is SweeperFunction on the App: what functions/sweeper runs.
func Lambda(a *app.App) lambda.Handler {
	return app.Typed(sweep.NewHandler(Sweeper(a)).Answer)
}
