package store

import (
	"errors"
	"fmt"
)

// Domain outcomes of conditional writes and reads. Callers match them with
// errors.Is; anything else the store returns is a storage fault. The
// messages start "store:" because manage has outcomes of the same names
// (manage.ErrNotFound, ...) that mean the service's answer, not the
// table's: a log line then says which layer an error came from.
var (
	ErrNotFound      = errors.New("store: item not found")
	ErrConflict      = errors.New("store: item changed concurrently")
	ErrNameTaken     = errors.New("store: name already used by a live token of this owner")
	ErrOwnerDisabled = errors.New("store: owner is disabled")
	ErrExists        = errors.New("store: item already exists")
	ErrBadCursor     = errors.New("store: bad cursor")
	// ErrClaimTaken: the idempotency key was claimed meanwhile by another
	// request; read the claim again.
	ErrClaimTaken = errors.New("store: idempotency key claimed concurrently")
	// ErrTooManyChanges: one Apply would exceed a transaction.
	ErrTooManyChanges = errors.New("store: too many changes for one transaction")
)

// ErrUnavailable is what every FaultError matches: DynamoDB did not answer
// (throttled, failed, timed out, connection lost) after the SDK's retries.
// A fault says nothing about whether a write happened.
var ErrUnavailable = errors.New("store: table unavailable")

// errOutOfTime stops a walk whose caller must answer soon.
var errOutOfTime = errors.New("store: out of time")

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
