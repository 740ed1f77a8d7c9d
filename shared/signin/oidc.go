package signin

// OIDC is how validate accepts a person's ID token; off when Issuer is
// empty.
type OIDC struct {
	Issuer      string   // OIDC_ISSUER: its discovery document names the signing keys
	Audience    string   // OIDC_AUDIENCE: the client id the ID token must be for
	OwnerClaim  string   // OIDC_OWNER_CLAIM: the claim naming the person's owner (sub)
	AdminClaim  string   // OIDC_ADMIN_CLAIM: the claim that makes an admin ("" none)
	AdminValue  string   // OIDC_ADMIN_VALUE: the claim must equal it exactly, or be a list holding it (docs/signin.md)
	Scopes      []string // OIDC_SCOPES: what a signed-in person gets on the management API
	AdminScopes []string // OIDC_ADMIN_SCOPES: what an admin gets besides
}

// On reports sign-in is configured.
func (o OIDC) On() bool { return o.Issuer != "" }
