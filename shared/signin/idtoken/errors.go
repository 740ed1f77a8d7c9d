package idtoken

import "errors"

// Why a token is not accepted: a status for the caller to answer, not a
// fault.
var (
	// ErrRefused: the token is not one this deployment accepts (signature,
	// algorithm, iss, aud, azp, nbf, claims).
	ErrRefused = errors.New("ID token refused")
	// ErrExpired: exp is missing or past, beyond ClockSkew.
	ErrExpired = errors.New("ID token expired")
)

// Faults: nothing could be verified. Callers fail closed.
var (
	// ErrDiscovery marks a failure to read the issuer's discovery document.
	ErrDiscovery = errors.New("OpenID provider discovery failed")
	// ErrKeysUnavailable marks a failure to fetch the issuer's keys.
	ErrKeysUnavailable = errors.New("issuer's signing keys unavailable")
)
