package keyring

import "errors"

var (
	// ErrUnknownKey reports a verification against a key id the keyring
	// does not hold, even after re-reading its source.
	ErrUnknownKey = errors.New("keyring: unknown key id")
	// ErrInvalidKeyring is wrapped by every rejection of a keyring document.
	ErrInvalidKeyring = errors.New("keyring: invalid keyring")
)
