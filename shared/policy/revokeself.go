package policy

import "net/http"

// RevokesSelf reports whether method and path are the token with id self
// revoking itself: a DELETE among the catalogue's self routes
// (`DELETE /tokens/{self}` in the shipped one). A token refused for
// everything else — deactivated, idle, its owner disabled, called from
// outside its addresses — may still do this one thing, so whoever holds a
// token can always end it. Scopes play no part.
func (c *Catalogue) RevokesSelf(self, method string, path *Path) bool {
	if self == "" || method != http.MethodDelete || path.kind != pathRaw && path.kind != pathRouted {
		return false
	}
	return matchAny(c.self, method, path, self)
}
