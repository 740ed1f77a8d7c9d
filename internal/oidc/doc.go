// Package oidc runs a real OpenID Connect provider for local development and
// tests: the npm package oidc-provider (pinned in provider/package.json and
// provider/package-lock.json) under Node.js 20 or newer, with the server in
// provider/server.mjs.
//
// The provider has one public client (default id DefaultClientID: no
// secret, authorization code with PKCE S256 only) and the development users
// of DevUsers, whose passwords are their names. Its ID tokens last an hour
// and carry sub (the user name), preferred_username, email
// (<user>@example.test), email_verified and groups (["keymint-admins"] for
// root). Consent is granted automatically. It is for development only.
//
// EnsureInstalled puts the provider and its dependencies under
// <localDir>/oidc-provider; Start runs it on 127.0.0.1, signing with the RS256
// key kept in <localDir>/oidc/jwks.json (made once, mode 0600, so tokens
// outlive a restart); SigningKey hands that key to tests that craft tokens of
// their own. Login signs a user in the way a browser would and returns the ID
// token.
package oidc
