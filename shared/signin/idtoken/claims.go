package idtoken

import (
	"slices"
	"strings"
)

// authorizedParty applies OpenID Connect Core 1.0 §3.1.3.7 items 4 and 5
// (https://openid.net/specs/openid-connect-core-1_0.html#IDTokenValidation):
// a token for several audiences must name the party it was issued to (azp),
// and an azp, when present, must be this client. Without it, a token issued
// to another client that merely lists keymint among its audiences would sign
// its holder in here.
func authorizedParty(aud []string, azp any, client string) bool {
	if azp == nil {
		return len(aud) <= 1
	}
	s, ok := azp.(string)
	return ok && s == client
}

// spaceSeparated reports a claim whose string value is defined as a
// space-separated list: scope (RFC 8693 §4.2,
// https://www.rfc-editor.org/rfc/rfc8693#section-4.2). Any other string
// claim is one value, so an address with a space in it names nobody else.
func spaceSeparated(claim string) bool { return claim == "scope" }

// holds reports a claim is value, or a list (JSON array: groups, roles)
// holding it, or, for a space-separated claim, a string listing it.
func holds(name string, claim any, value string) bool {
	switch c := claim.(type) {
	case string:
		if spaceSeparated(name) {
			return slices.Contains(strings.Split(c, " "), value)
		}
		return c == value
	case []any:
		for _, v := range c {
			if s, ok := v.(string); ok && s == value {
				return true
			}
		}
	}
	return false
}
