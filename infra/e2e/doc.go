// Package e2e holds the end-to-end suites that run keymint as `make run`
// does: every function built by its production wiring from template.yaml,
// behind the local API Gateway stand-in, over real HTTP, on DynamoDB Local.
// The route × credential × target matrix and the fault-injection suite
// live here; the package itself exports nothing.
package e2e
