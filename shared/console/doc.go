// Package console is the ConsoleFunction: keymint's web console, static
// files embedded in the bootstrap and served on routes without the
// authorizer, with the page's security headers. The console signs people in
// with the configured OpenID provider in the browser and then calls the
// management API with their ID token; the function itself holds no data
// and needs no permissions.
package console
