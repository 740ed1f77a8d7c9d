// Package policy is the scope catalogue: which scopes and
// bundles exist, which routes each scope opens, and the IAM policy a Lambda
// authorizer returns for one request (iam.go: exactly its ARN, never a list
// of routes, since IAM's "*" also matches "/").
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
// anything else is a literal and matches itself, case-sensitively. A literal
// may hold only letters, digits and -._~!&'()+,;=:@ (RFC 3986's pchar less
// percent-encoding, '*' and '$'); a catalogue with any other character in a
// literal ('%', '?', '#', a space, non-ASCII) is refused at load.
//
// A request is matched as a list of segments (Path), never as a string
// parsed again. Where API Gateway names the route it matched (an HTTP API's
// routeKey, a REST event's resource), Routed builds the list from that
// template: a literal is itself, "{name}" is the parameter's value as one
// segment whatever it holds ('/', '?', '#', '%', bytes that are not UTF-8),
// "{name+}" the rest, split at '/'. A parameter can thus neither shorten,
// lengthen nor reshape the route. A value is compared with a literal as
// API Gateway passes it (decoded once); because a literal holds only
// characters that percent-encoding never needs, the two are equal only when
// the request spelt that segment as the literal (or encoded the very same
// characters, RFC 3986 6.2.2.2), so this never allows more than the route
// itself; an encoded spelling that a second decoding would make equal
// ("%2565") stays unequal. Where only text is given (a REST TOKEN
// authorizer's methodArn resource, a $default route's raw path, a direct
// invoke's route), Raw splits it at '/' and nowhere else: '?' and '#' start
// nothing, and a direct invoke's route holding either is refused as
// malformed (DirectRoute). One trailing slash is forgiven. A segment that
// is empty, a dot segment ("." or "..", plainly or as "%2E"), or, in text
// split at '/', holds an encoded slash ("%2F", one segment or two depending
// on who decodes it) makes the whole path match nothing; so does a route no
// scope lists: the catalogue only ever says yes to what it names.
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
