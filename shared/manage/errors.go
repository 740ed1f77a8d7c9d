package manage

import (
	"errors"
	"fmt"

	"github.com/keymint/keymint/shared/store"
)

// Outcomes callers map to responses. Messages are safe to show a client.
// They start "manage:" because store has outcomes of the same names
// (store.ErrNotFound, ...) that mean the table's answer, which manage
// turns into these: a log line then says which layer an error came from.
var (
	ErrInvalid       = errors.New("manage: invalid input")
	ErrForbidden     = errors.New("manage: not allowed")
	ErrNotFound      = errors.New("manage: token not found")
	ErrConflict      = errors.New("manage: conflict")
	ErrOwnerDisabled = errors.New("manage: owner is disabled")
	// ErrOwnerNotEnabled: TOKENS_REQUIRE_ENABLEMENT is on and no admin has
	// enabled the owner yet.
	ErrOwnerNotEnabled = errors.New("manage: owner is not enabled")
	// ErrOwnerNotFound: no owner item (it never had a token, a status or a
	// policy).
	ErrOwnerNotFound = errors.New("manage: owner not found")
	// ErrIdempotencyMismatch: the key was already used with a different
	// request; the client must pick a new key (422, as Stripe and the IETF
	// Idempotency-Key draft answer).
	ErrIdempotencyMismatch = errors.New("manage: idempotency key reused with a different request")
	// ErrLockout refuses an owner change that would leave nobody able to
	// administer keymint over HTTP (ops can still recover by direct invoke).
	ErrLockout = errors.New("manage: would lock out every admin")
	// ErrUsagePlan: API Gateway did not take an owner's API key into its
	// plan's usage plan (UsagePlanError holds why, for the log).
	ErrUsagePlan = errors.New("manage: the owner's usage plan could not be updated")
)

// FieldError is bad input in one field; errors.Is(err, ErrInvalid) holds.
type FieldError struct {
	Field  string
	Reason string
}

func (e *FieldError) Error() string        { return fmt.Sprintf("%s: %s", e.Field, e.Reason) }
func (e *FieldError) Is(target error) bool { return target == ErrInvalid }

func invalid(field, format string, args ...any) error {
	return &FieldError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

// ConflictError explains a refused state change; errors.Is(err, ErrConflict) holds.
type ConflictError struct{ Reason string }

func (e *ConflictError) Error() string        { return e.Reason }
func (e *ConflictError) Is(target error) bool { return target == ErrConflict }

func conflict(reason string) error { return &ConflictError{Reason: reason} }

// ForbiddenError says which authority the caller lacks; errors.Is(err, ErrForbidden) holds.
type ForbiddenError struct{ Reason string }

func (e *ForbiddenError) Error() string        { return e.Reason }
func (e *ForbiddenError) Is(target error) bool { return target == ErrForbidden }

func forbidden(reason string) error { return &ForbiddenError{Reason: reason} }

// UnknownOutcomeError: the table did not answer a create in time and a
// check could not find the token, so it may or may not exist. A retry with
// the same idempotency key settles it without making a second token.
type UnknownOutcomeError struct{ Err error }

func (e *UnknownOutcomeError) Error() string { return "outcome unknown: " + e.Err.Error() }
func (e *UnknownOutcomeError) Unwrap() error { return e.Err }

// UsagePlanError wraps API Gateway's refusal or silence; errors.Is(err,
// ErrUsagePlan) holds, and the cause is for the log only.
type UsagePlanError struct{ Err error }

func (e *UsagePlanError) Error() string        { return "usage plan: " + e.Err.Error() }
func (e *UsagePlanError) Unwrap() error        { return e.Err }
func (e *UsagePlanError) Is(target error) bool { return target == ErrUsagePlan }

// LockoutError says which lockout a change would cause; errors.Is(err,
// ErrLockout) holds.
type LockoutError struct{ Reason string }

func (e *LockoutError) Error() string        { return e.Reason }
func (e *LockoutError) Is(target error) bool { return target == ErrLockout }

// Replayed is the answer to a retry: the token the key created, without its
// secret, which keymint never stores. Regenerate is the way to a new one.
type Replayed struct{ Token *store.Record }

func (r *Replayed) Error() string { return "idempotent replay" }

// errOwnerMoved: a new token's owner was moved to another plan, or got
// another token counted against its plan's limit, between reading it and
// writing the token; create judges the token again.
var errOwnerMoved = errors.New("manage: the owner changed")
