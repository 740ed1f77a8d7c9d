package store

import "errors"

// Domain outcomes of conditional writes and reads. Callers match them with
// errors.Is; anything else the store returns is a storage fault.
var (
	ErrNotFound      = errors.New("not found")
	ErrConflict      = errors.New("changed concurrently")
	ErrNameTaken     = errors.New("name already used by a live token of this owner")
	ErrOwnerDisabled = errors.New("owner is disabled")
	ErrExists        = errors.New("already exists")
	ErrBadCursor     = errors.New("bad cursor")
)
