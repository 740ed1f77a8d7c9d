// Package console is the ConsoleFunction: keymint's web console, static
// files embedded in the bootstrap and served on routes without the
// authorizer, with the page's security headers. The console signs people in
// with the configured OpenID provider in the browser and then calls the
// management API with their ID token; the function itself holds no data
// and needs no permissions.
//
// The page is plain ES modules in assets/: app.js routes to one module per
// screen (tokens, token, owners, scopes), which import only shared
// modules; the pure ones (dates, text, tokenrules, problems, scopeset)
// touch no DOM and have node:test suites in jstest/, outside assets/ so
// they are neither embedded nor served. TestJavaScriptUnits runs them, and
// `make lint` runs ESLint over all of it (internal/jslint).
package console
