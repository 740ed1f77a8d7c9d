package sweep

import (
	"errors"
	"fmt"
	"strings"
)

// Errors Run and Handle return for a request they refuse; match with errors.Is.
var (
	ErrInvalid       = errors.New("sweep: invalid request")
	ErrClockOverride = errors.New(`sweep: "now" is refused unless KEYMINT_ALLOW_CLOCK_OVERRIDE=1 (local stacks only)`)
)

// DeliveryError lists the tokens whose notice was not accepted; the others
// in the same call were.
type DeliveryError struct {
	Failed []string // token ids
	Err    error
}

func (e *DeliveryError) Error() string {
	return fmt.Sprintf("sweep: %d expiry notice(s) not delivered (%s): %v", len(e.Failed), strings.Join(e.Failed, ", "), e.Err)
}

func (e *DeliveryError) Unwrap() error { return e.Err }
