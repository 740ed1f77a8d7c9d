package api

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/aws/aws-lambda-go/events"
	"github.com/keymint/keymint/shared/manage"
	"github.com/keymint/keymint/shared/store"
)

const problemBase = "https://keymint.dev/problems/"

func problem(status int, slug, detail string) *Problem {
	return &Problem{Type: problemBase + slug, Title: http.StatusText(status), Status: status, Detail: detail}
}

func jsonResponse(status int, v any) events.APIGatewayV2HTTPResponse {
	body, err := json.Marshal(v)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{StatusCode: http.StatusInternalServerError}
	}
	return events.APIGatewayV2HTTPResponse{
		StatusCode: status,
		Headers:    map[string]string{"Content-Type": "application/json", "Cache-Control": "no-store"},
		Body:       string(body),
	}
}

func (p *Problem) response(req *events.APIGatewayV2HTTPRequest) events.APIGatewayV2HTTPResponse {
	if req != nil {
		p.Instance, p.RequestID = req.RawPath, req.RequestContext.RequestID
	}
	r := jsonResponse(p.Status, p)
	r.Headers["Content-Type"] = "application/problem+json"
	if p.Status == http.StatusServiceUnavailable {
		r.Headers["Retry-After"] = "1"
	}
	return r
}

// fromError maps a manage outcome to a problem. Unknown errors are faults:
// logged with their text, answered with a generic 500.
func fromError(ctx context.Context, log *slog.Logger, err error) *Problem {
	var fe *manage.FieldError
	var ce *manage.ConflictError
	var fb *manage.ForbiddenError
	var pe *Problem
	var le *manage.LockoutError
	var ue *manage.UnknownOutcomeError
	switch {
	case errors.As(err, &pe):
		return pe
	case errors.As(err, &le):
		return problem(http.StatusConflict, "lockout", le.Reason)
	case errors.Is(err, manage.ErrIdempotencyMismatch):
		p := problem(http.StatusUnprocessableEntity, "idempotency-key-reused", "this Idempotency-Key was used with a different request; use a new key")
		p.Errors = []FieldProblem{{Field: "Idempotency-Key", Detail: "already used with a different request"}}
		return p
	case errors.As(err, &ue):
		log.ErrorContext(ctx, "create outcome unknown", slog.Any("error", err))
		return problem(http.StatusServiceUnavailable, "outcome-unknown",
			"the token store did not confirm in time; the token may exist. Retry with the same Idempotency-Key to get it without making a second one")
	case errors.Is(err, store.ErrUnavailable):
		log.ErrorContext(ctx, "token store unavailable", slog.Any("error", err))
		return problem(http.StatusServiceUnavailable, "unavailable", "the token store is busy or unreachable; retry shortly")
	case errors.Is(err, manage.ErrUsagePlan):
		log.ErrorContext(ctx, "usage plan not updated", slog.Any("error", err))
		return problem(http.StatusServiceUnavailable, "usage-plan-unavailable",
			"API Gateway did not take the owner's API key into its plan's usage plan; nothing was changed, retry shortly")
	case errors.As(err, &fe):
		p := problem(http.StatusBadRequest, "invalid-input", fe.Error())
		p.Errors = []FieldProblem{{Field: fe.Field, Detail: fe.Reason}}
		return p
	case errors.Is(err, manage.ErrNotFound):
		return problem(http.StatusNotFound, "not-found", "no such token")
	case errors.As(err, &ce):
		return problem(http.StatusConflict, "conflict", ce.Reason)
	case errors.Is(err, manage.ErrOwnerDisabled):
		return problem(http.StatusConflict, "owner-disabled", "the owner is disabled; no tokens can be issued for it")
	case errors.Is(err, manage.ErrOwnerNotEnabled):
		return problem(http.StatusConflict, "owner-not-enabled", "the owner is not enabled for tokens yet; an admin enables it with PUT /owners/{owner}/status {\"status\": \"active\"}")
	case errors.Is(err, manage.ErrOwnerNotFound):
		return problem(http.StatusNotFound, "not-found", "no such owner")
	case errors.As(err, &fb):
		return problem(http.StatusForbidden, "forbidden", fb.Reason)
	}
	log.ErrorContext(ctx, "request failed", slog.Any("error", err))
	return problem(http.StatusInternalServerError, "internal", "the request could not be completed; retry later")
}
