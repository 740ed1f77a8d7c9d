package example

import "strings"

// Caller is who called, as keymint's authorizer describes them in the
// context it hands the API (docs/deploy.md, "Attach ValidateFunction to
// your own API").
type Caller struct {
	// Kind is "token" for a keymint token. ("user", a person signed in with
	// an ID token, is accepted only on keymint's own management API, so it
	// never reaches a backend like this one.)
	Kind    string `json:"kind"`
	Owner   string `json:"owner"`
	TokenID string `json:"tokenId,omitempty"`
	// Scopes arrive space separated: an authorizer's context values must be
	// strings, numbers or booleans.
	Scopes    []string `json:"scopes"`
	ExpiresAt string   `json:"expiresAt"`
}

// callerOf reads the authorizer's context; ok is false when there is none
// (the function was reached without the authorizer).
func callerOf(lambdaCtx map[string]any) (Caller, bool) {
	if lambdaCtx == nil {
		return Caller{}, false
	}
	str := func(k string) string {
		s, _ := lambdaCtx[k].(string)
		return s
	}
	c := Caller{
		Kind:      str("kind"),
		Owner:     str("owner"),
		TokenID:   str("tokenId"),
		Scopes:    strings.Fields(str("scopes")),
		ExpiresAt: str("expiresAt"),
	}
	if c.Scopes == nil {
		c.Scopes = []string{}
	}
	return c, c.Owner != ""
}
