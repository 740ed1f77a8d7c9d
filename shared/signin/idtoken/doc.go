// Package idtoken verifies a person's OpenID Connect ID token against the
// sign-in settings (signin.OIDC, docs/signin.md): the issuer's discovery
// document and signing keys (fetched on first use, cached, fetched again
// on an unknown key id at most once a minute), the signature by an allowed
// asymmetric algorithm, iss, aud, azp, exp and nbf, and the claims that
// name the person (owner claim, verified email, admin claim).
//
// It answers who a good token names (Person) or why it is refused (the
// sentinels in errors.go); what that person may do — owner lookup, owner
// kind and status, scopes — is shared/validate's. It is a package of its
// own, not part of shared/signin, because every function links signin's
// settings (through shared/config) and only the ones that verify should
// link the OpenID Connect and JOSE libraries.
package idtoken
