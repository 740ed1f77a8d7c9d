package policy

// The management scopes: what opens keymint's own management API (the
// generated entries of scopes.json). Every other scope of a catalogue is an
// API scope, of the API keymint guards: those are what a customer's plan
// (shared/plan) grants.
const (
	ScopeRead  = "tokens:read"
	ScopeWrite = "tokens:write"
	ScopeAdmin = "tokens:admin"
)

// Management reports whether scope is a management scope.
func Management(scope string) bool {
	return scope == ScopeRead || scope == ScopeWrite || scope == ScopeAdmin
}
