// Package policy is the scope catalogue: which scopes and
// bundles exist, which routes each scope opens, and the IAM policies a REST
// API Lambda authorizer returns for them.
//
// A catalogue is a JSON file (SCOPES_FILE; the default is embedded from
// scopes.json) of this shape:
//
//	{
//	  "scopes": {
//	    "tokens:read":  {"description": "...", "routes": ["GET /tokens", "GET /tokens/*"]},
//	    "tokens:admin": {"implies": ["tokens:read"], "routes": ["PUT /owners/*/status"]}
//	  },
//	  "anyToken": ["GET /whoami"],
//	  "self":     ["GET /tokens/{self}", "DELETE /tokens/{self}"],
//	  "bundles":  {"tokens:manage": ["tokens:read", "tokens:write"]}
//	}
//
// A route pattern is "METHOD /path". METHOD is an upper-case HTTP method, or
// "*" / "ANY" for every method. In the path a "*" segment matches exactly one
// non-empty segment and a final "**" matches one or more remaining segments;
// anything else matches itself, case-sensitively. A single trailing slash and
// the query string of a request are ignored. A request path with an empty,
// "." or ".." segment matches nothing, and neither does a route no scope
// lists: the catalogue only ever says yes to what it names.
//
// "self" routes are open to a token acting on itself: a "{self}" segment
// matches only the calling token's own id. The shipped catalogue lets every
// token read and revoke itself, so whoever holds a token can always kill it.
//
// "implies" lets one scope carry others for route matching (tokens:admin
// implies tokens:read and tokens:write); bundles are names a client may ask
// for when a token is issued and are expanded to their scopes there, so a
// stored token only ever holds scopes.
//
// A Catalogue is immutable once parsed and safe for concurrent use.
package policy
