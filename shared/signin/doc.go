// Package signin holds how a deployment accepts a person's OpenID Connect
// ID token (docs/signin.md): the settings validate checks ID tokens by and
// the console signs in with. shared/config reads them from the
// environment; the packages that use them take them as a value, so neither
// links the configuration reader. Verifying an ID token against them is
// shared/signin/idtoken's.
package signin
