package sweep

import (
	"path/filepath"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/keymint/keymint/shared/app"
)

// FromApp is the sweeper on the App. It sends notices to the configured
// event bus, or appends them to LOCAL_DIR/notices.jsonl when there is none
// (local stacks).
func FromApp(a *app.App) *Sweeper {
	var n Notifier
	if a.Config.EventBusName != "" {
		n = NewEventBridgeNotifier(eventbridge.NewFromConfig(a.AWS), a.Config.EventBusName)
	} else {
		n = NewFileNotifier(filepath.Join(a.Config.LocalDir, NoticesFile))
	}
	return New(a.Store, n, a.Clock, a.Log, ClockOverride(a.Config.AllowClockOverride))
}

// Lambda is SweeperFunction on the App: what functions/sweeper runs.
func Lambda(a *app.App) lambda.Handler { return app.Typed(NewHandler(FromApp(a)).Handle) }
