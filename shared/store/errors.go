package store

import (
	"errors"
	"fmt"
)

// Domain outcomes of conditional writes and reads. Callers match them with
// errors.Is; anything else the store returns is a storage fault.
var (
	ErrNotFound      = errors.New("not found")
	ErrConflict      = errors.New("changed concurrently")
	ErrNameTaken     = errors.New("name already used by a live token of this owner")
	ErrOwnerDisabled = errors.New("owner is disabled")
	ErrExists        = errors.New("already exists")
	ErrBadCursor     = errors.New("bad cursor")
	// ErrClaimTaken: the idempotency key was claimed meanwhile by another
	// request; read the claim again.
	ErrClaimTaken = errors.New("idempotency key claimed concurrently")
)

// ErrUnavailable is what every FaultError matches: DynamoDB did not answer
// (throttled, failed, timed out, connection lost) after the SDK's retries.
// A fault says nothing about whether a write happened.
var ErrUnavailable = errors.New("table unavailable")

// FaultError is a failed DynamoDB call. The SDK's error stays in the chain
// for errors.As and for the log; clients only ever learn ErrUnavailable.
type FaultError struct {
	Op  string
	Err error
}

func (e *FaultError) Error() string        { return fmt.Sprintf("store: %s: %v", e.Op, e.Err) }
func (e *FaultError) Unwrap() error        { return e.Err }
func (e *FaultError) Is(target error) bool { return target == ErrUnavailable }

func fault(op string, err error) error { return &FaultError{Op: op, Err: err} }
