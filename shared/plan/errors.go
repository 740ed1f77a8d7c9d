package plan

import "errors"

// ErrInvalid wraps every reason Parse or Load refuses a plan catalogue.
var ErrInvalid = errors.New("plan: invalid plan catalogue")

// ErrUnknownPlan is a plan name the catalogue does not hold.
var ErrUnknownPlan = errors.New("plan: unknown plan")
