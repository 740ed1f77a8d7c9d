package manage

import (
	"slices"

	"github.com/keymint/keymint/shared/policy"
)

// Management scopes (shared/policy/scopes.json), named where they are used.
const (
	ScopeRead  = policy.ScopeRead
	ScopeWrite = policy.ScopeWrite
	ScopeAdmin = policy.ScopeAdmin
)

// Caller is who asks: the authorizer's verdict on the bearer token, or ops
// invoking a function directly (IAM is the gate there).
type Caller struct {
	TokenID string
	// Person marks a signed-in person (an ID token): no TokenID, and the
	// audit trail names them user:<owner>.
	Person   bool
	Owner    string
	Scopes   []string // effective scopes (implications applied)
	SourceIP string
	// Ops marks a direct invoke by an operator: acts as admin.
	Ops bool
	// RevokeOnly marks a token refused for everything but revoking itself
	// (deactivated, idle, its owner disabled, outside its addresses): it
	// holds no scopes, and revoking itself is all it may do.
	RevokeOnly bool

	// planned: Scopes already hold what the owner's plan adds (authority).
	planned bool
}

// Admin reports whether the caller may act on any owner.
func (c Caller) Admin() bool { return c.Ops || slices.Contains(c.Scopes, ScopeAdmin) }

// Has reports whether the caller holds scope.
func (c Caller) Has(scope string) bool { return c.Ops || slices.Contains(c.Scopes, scope) }

// Actor is how the audit trail and the logs name the caller: ops,
// user:<owner> for a signed-in person, <owner>/<token id> for a token.
func (c Caller) Actor() string {
	if c.Ops {
		return "ops"
	}
	if c.Person {
		return "user:" + c.Owner
	}
	if c.TokenID == "" {
		return c.Owner
	}
	return c.Owner + "/" + c.TokenID
}

// scopeKey names whose idempotency keys these are: one token's, or ops'.
func (c Caller) scopeKey() string {
	if c.Ops {
		return "ops"
	}
	if c.Person {
		return "user:" + c.Owner
	}
	return c.Owner + "/" + c.TokenID
}
