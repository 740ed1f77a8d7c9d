// Package plan is the plan catalogue: what each customer (owner) of the API
// behind keymint may be given. A plan names the API scopes its owners'
// tokens may hold (the entitlement) and the longest lifetime of a token.
//
// A catalogue is JSON (PLANS_FILE or PLANS_JSON) of this shape:
//
//	{
//	  "plans": {
//	    "free": {"description": "...", "scopes": ["orders:read"], "maxLifetimeDays": 30},
//	    "pro":  {"description": "...", "scopes": ["orders:read", "orders:write"]}
//	  }
//	}
//
// DEFAULT_PLAN names the plan of every owner an admin has not put on
// another. A deployment without plans has one implicit plan, Unlimited,
// which grants every scope and adds no limit: it behaves as before plans.
//
// Invariants:
//   - a plan names only API scopes the scope catalogue knows: the
//     management scopes (tokens:*) are governed by who the caller is, not
//     by the customer's plan;
//   - a token's effective scopes are its scopes within its owner's plan
//     (Plan.Within): scopes the plan does not grant open nothing, so a
//     downgrade narrows live tokens without rewriting their scopes, and an
//     upgrade back restores them.
package plan
