package token

import "errors"

var (
	// ErrMalformed is wrapped by every Parse failure that is the token's
	// fault.
	ErrMalformed = errors.New("token: malformed token")
	// ErrInvalidPrefix reports a configured prefix that is not 2–8
	// lower-case letters; it is a deployment error, not a bad token, so it
	// does not wrap ErrMalformed.
	ErrInvalidPrefix = errors.New("token: invalid token prefix")
)
