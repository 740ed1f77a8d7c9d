package sweep

import (
	"context"
	"encoding/json"

	"github.com/keymint/keymint/shared/app"
)

// Report is what one sweep did.
type Report struct {
	Examined    int   `json:"examined"`
	Inactivated int   `json:"inactivated"`
	Expired     int   `json:"expired"`
	Deleted     int   `json:"deleted"`
	Notified    int   `json:"notified"`
	DryRun      bool  `json:"dryRun"`
	DurationMs  int64 `json:"durationMs"`
}

// STUB: the sweeper work fills this in.
type Handler struct{ a *app.App }

func NewHandler(a *app.App) *Handler { return &Handler{a: a} }

// Handle takes a scheduled event or {"dryRun","limit","now"}.
func (h *Handler) Handle(ctx context.Context, payload json.RawMessage) (Report, error) {
	return Report{}, nil
}
