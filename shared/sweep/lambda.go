package sweep

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambda/messages"
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
func Lambda(a *app.App) lambda.Handler {
	h := NewHandler(FromApp(a))
	return app.Typed(func(ctx context.Context, payload json.RawMessage) (Report, error) {
		rep, err := h.Handle(ctx, payload)
		return rep, invokeError(err)
	})
}

// Error types an invoker of the sweeper sees (Lambda's errorType): a
// refused request, or a run some of whose writes or notices failed.
const (
	ErrorTypeInvalidInput = "InvalidInput"
	ErrorTypeIncomplete   = "SweepIncomplete"
)

// invokeError gives a failed run a stable errorType in place of the Go
// type name aws-lambda-go would report, and keeps the store's and event
// bus's error text in the log (Run logged it) and out of the answer.
// (https://docs.aws.amazon.com/lambda/latest/dg/golang-exceptions.html)
func invokeError(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, ErrInvalid):
		// Our own words about the payload: safe to show.
		return messages.InvokeResponse_Error{Type: ErrorTypeInvalidInput, Message: err.Error()}
	}
	return messages.InvokeResponse_Error{Type: ErrorTypeIncomplete,
		Message: "some writes or notices failed (see the function's log); those tokens stay due for the next run"}
}
