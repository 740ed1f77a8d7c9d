package validate

import (
	"net/http"

	"github.com/aws/aws-lambda-go/events"
	"github.com/keymint/keymint/shared/policy"
)

// revocableBySelf: the refusals under which a token may still revoke
// itself. Each says the token is not to be used now, not that it is over:
// whoever holds it (its owner, or whoever found it) can still end it, as
// SECURITY.md promises. Expired and revoked tokens are over already; a
// token that is not recognised proves nothing.
func (s Status) revocableBySelf() bool {
	switch s {
	case Inactive, OwnerDisabled, IPNotAllowed, IPBlocked:
		return true
	}
	return false
}

// RevokesItself reports whether a request refused with d is the token
// revoking itself (policy.Catalogue.RevokesSelf), which is then allowed,
// and for nothing else (RevokeSelf). Only keymint's management API asks:
// its revoke function is the one route this opens.
func (v *Validator) RevokesItself(req *Request, d Decision) bool {
	if !d.Status.revocableBySelf() || d.Token == nil || req.Method != http.MethodDelete {
		return false
	}
	route := req.Route
	if route.IsZero() {
		route = policy.Raw(req.Path)
	}
	return v.cat.RevokesSelf(d.Token.ID, req.Method, &route)
}

// revokeContext is the authorizer context of a RevokeSelf answer: the
// token, no scopes, and revokeOnly, which keymint's functions read as
// "this caller may revoke itself and do nothing else" (shared/api).
func (e *entry) revokeContext() map[string]any {
	t := e.item
	return map[string]any{
		"kind":       "token",
		"tokenId":    t.ID,
		"owner":      t.Owner,
		"scopes":     "",
		"revokeOnly": true,
		"expiresAt":  expiresAt(t),
	}
}

// simpleRevokeSelf is the simple answer to RevokeSelf. It is rare (a
// refused token revoking itself), so it is built each time, not kept.
func simpleRevokeSelf(d Decision) []byte {
	return encode(events.APIGatewayV2CustomAuthorizerSimpleResponse{IsAuthorized: true, Context: d.e.revokeContext()})
}
