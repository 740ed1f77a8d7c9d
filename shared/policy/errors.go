package policy

import (
	"errors"
	"fmt"
)

var (
	// ErrInvalidCatalogue wraps every reason Parse or Load refuses a catalogue.
	ErrInvalidCatalogue = errors.New("policy: invalid scope catalogue")
	// ErrUnknownScope is what an UnknownScopeError matches with errors.Is.
	ErrUnknownScope = errors.New("policy: unknown scope")
	// ErrBadARN wraps every reason ParseMethodARN refuses an ARN.
	ErrBadARN = errors.New("policy: bad execute-api ARN")
)

// UnknownScopeError names the first requested entry that is neither a scope
// nor a bundle, so an API can tell the client which one to fix.
type UnknownScopeError struct {
	Scope string
}

func (e UnknownScopeError) Error() string { return fmt.Sprintf("unknown scope %q", e.Scope) }

// Is makes errors.Is(err, ErrUnknownScope) hold without callers knowing the type.
func (e UnknownScopeError) Is(target error) bool { return target == ErrUnknownScope }
