package validate

// Status is a validation outcome. Outcomes are values, not errors: an error
// from Check means the decision could not be made (and nothing is allowed).
type Status string

// Statuses, as docs/deploy.md "What ValidateFunction answers" names them (the direct invoke's reason).
const (
	Valid         Status = "valid"
	Malformed     Status = "malformed"
	NotFound      Status = "not_found"
	BadSecret     Status = "bad_secret"
	Expired       Status = "expired"
	Revoked       Status = "revoked"
	Inactive      Status = "inactive"
	OwnerDisabled Status = "owner_disabled"
	IPNotAllowed  Status = "ip_not_allowed"
	IPBlocked     Status = "ip_blocked"
	ScopeDenied   Status = "scope_denied"
	// QuotaExceeded: the token's owner has used its plan's quota for the
	// period (as far as this container has learned from its own usage
	// writes); refused until the period ends.
	QuotaExceeded Status = "quota_exceeded"
	// RevokeSelf: the token is refused for everything but revoking itself
	// (inactive, owner disabled, outside its addresses), and that is what
	// this request does, on keymint's management API: allowed, with no
	// scopes, for that one route (Validator.RevokesItself).
	RevokeSelf Status = "revoke_self"
	// MalformedRoute: a direct invoke's route is not "METHOD /path", or
	// holds a '?' or '#' (policy.DirectRoute); it is refused, not cut.
	MalformedRoute Status = "malformed_route"
	// UnknownKey: the token's hash was made with a pepper key the keyring
	// no longer holds (retired by ops); the token cannot be checked, so it is
	// refused as a bad token, not answered as a fault.
	UnknownKey Status = "unknown_key"
	// InvalidIDToken: a signed-in person's ID token failed verification
	// (signature, algorithm, issuer, audience, not-before, owner claim).
	InvalidIDToken Status = "invalid_id_token"
)

// Unauthenticated reports statuses API Gateway answers with 401: the token
// itself is no good. The others (valid token, refused request) are 403.
func (s Status) Unauthenticated() bool {
	switch s {
	case Malformed, NotFound, BadSecret, Expired, Revoked, Inactive, OwnerDisabled, UnknownKey, InvalidIDToken:
		return true
	}
	return false
}
