package sweep

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/aws/aws-lambda-go/lambda/messages"
)

// Answer is Handle as the function's invoker sees it: a failed run's
// error carries a stable errorType (invokeError). SweeperFunction runs it.
func (h *Handler) Answer(ctx context.Context, payload json.RawMessage) (Report, error) {
	rep, err := h.Handle(ctx, payload)
	return rep, invokeError(err)
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
