package sweep

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// NoticesFile is where notices go, under LOCAL_DIR, when no event bus is
// configured.
const NoticesFile = "notices.jsonl"

// scheduledDetailType is what an EventBridge schedule rule sends.
const scheduledDetailType = "Scheduled Event"

// Handler is the SweeperFunction's Lambda handler.
type Handler struct {
	sweeper *Sweeper
}

// NewHandler serves the schedule and ops invokes with s.
func NewHandler(s *Sweeper) *Handler { return &Handler{sweeper: s} }

// Handle takes the hourly schedule's event, or an ops invoke
// {"dryRun":bool,"limit":N} ("now": RFC 3339 as well, where the clock
// override is allowed), and runs one sweep.
func (h *Handler) Handle(ctx context.Context, payload json.RawMessage) (Report, error) {
	opt, err := ParsePayload(payload)
	if err != nil {
		return Report{DryRun: opt.DryRun}, err
	}
	return h.sweeper.Run(ctx, opt)
}

// opsPayload is the ops invoke. Pointers tell "absent" from zero values.
type opsPayload struct {
	DryRun *bool   `json:"dryRun"`
	Limit  *int    `json:"limit"`
	Now    *string `json:"now"`
}

func opsField(name string) bool {
	switch name {
	case "dryRun", "limit", "now":
		return true
	}
	return false
}

// ParsePayload turns an invoke payload into run options. Unknown fields are
// refused rather than ignored: a misspelt "dryRun" must not start a real run.
func ParsePayload(payload json.RawMessage) (Options, error) {
	raw := bytes.TrimSpace(payload)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return Options{}, nil
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return Options{}, fmt.Errorf(`%w: payload must be a JSON object such as {"dryRun":true,"limit":100}: %v`, ErrInvalid, err)
	}
	if _, ok := fields["detail-type"]; ok {
		var ev events.EventBridgeEvent
		if err := json.Unmarshal(raw, &ev); err != nil {
			return Options{}, fmt.Errorf("%w: event: %v", ErrInvalid, err)
		}
		if ev.DetailType != scheduledDetailType {
			return Options{}, fmt.Errorf("%w: unsupported event detail-type %q (want %q)", ErrInvalid, ev.DetailType, scheduledDetailType)
		}
		return Options{}, nil
	}
	// encoding/json matches names case-insensitively, even with
	// DisallowUnknownFields, so the exact spelling is checked here.
	for k := range fields {
		if !opsField(k) {
			return Options{}, fmt.Errorf(`%w: unknown field %q (accepted: "dryRun" boolean, "limit" whole number >= 0, "now" RFC 3339 time)`, ErrInvalid, k)
		}
	}
	var p opsPayload
	if err := json.Unmarshal(raw, &p); err != nil {
		return Options{}, fmt.Errorf(`%w: %v (accepted: "dryRun" boolean, "limit" whole number >= 0, "now" RFC 3339 time)`, ErrInvalid, err)
	}
	var opt Options
	if p.DryRun != nil {
		opt.DryRun = *p.DryRun
	}
	if p.Limit != nil {
		if *p.Limit < 0 {
			return opt, fmt.Errorf("%w: limit must be 0 (no cap) or more, got %d", ErrInvalid, *p.Limit)
		}
		opt.Limit = *p.Limit
	}
	if p.Now != nil {
		at, err := time.Parse(time.RFC3339, *p.Now)
		if err != nil || at.IsZero() {
			return opt, fmt.Errorf("%w: now must be an RFC 3339 time such as 2026-12-01T00:00:00Z, got %q", ErrInvalid, *p.Now)
		}
		opt.Now = at
	}
	return opt, nil
}
