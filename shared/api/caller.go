package api

import (
	"net/http"
	"strings"

	"github.com/aws/aws-lambda-go/events"
	"github.com/keymint/keymint/shared/manage"
	"github.com/keymint/keymint/shared/policy"
)

// callerOf reads who is calling from the authorizer's context. A request
// without one did not pass the authorizer (a misconfigured route): refuse.
func callerOf(cat *policy.Catalogue, req *events.APIGatewayV2HTTPRequest) (manage.Caller, *Problem) {
	var ctx map[string]any
	if req.RequestContext.Authorizer != nil {
		ctx = req.RequestContext.Authorizer.Lambda
	}
	str := func(k string) string {
		s, _ := ctx[k].(string)
		return s
	}
	owner, id, person := str("owner"), str("tokenId"), str("kind") == "user"
	if owner == "" || id == "" && !person {
		return manage.Caller{}, problem(http.StatusUnauthorized, "unauthorized", "no authorizer context on this request")
	}
	c := manage.Caller{
		TokenID:  id,
		Person:   person,
		Owner:    owner,
		SourceIP: req.RequestContext.HTTP.SourceIP,
	}
	// revokeOnly: the authorizer let a refused token through to revoke
	// itself, and for nothing else (validate's RevokeSelf).
	if revokeOnly, _ := ctx["revokeOnly"].(bool); revokeOnly {
		c.RevokeOnly = true
		return c, nil
	}
	c.Scopes = cat.Effective(strings.Fields(str("scopes")))
	return c, nil
}

// permitted checks the route against the caller's scopes again behind the
// authorizer, so a route wired without it still refuses. The path is the
// route's template with each path parameter's value as one segment
// (policy.Routed), as validate reads it: what the catalogue's patterns
// describe, whatever stage or base path the request came through, and no
// character of a value ('?', '/', '%', ...) can cut or reshape it.
func permitted(cat *policy.Catalogue, c manage.Caller, req *events.APIGatewayV2HTTPRequest) *Problem {
	method, tmpl, ok := strings.Cut(req.RouteKey, " ")
	path := policy.Routed(tmpl, func(name string) string { return req.PathParameters[name] })
	switch {
	case !ok:
	case c.RevokeOnly:
		if cat.RevokesSelf(c.TokenID, method, &path) {
			return nil
		}
	case cat.AllowsPath(c.Scopes, c.TokenID, method, &path):
		return nil
	}
	return problem(http.StatusForbidden, "forbidden", "your scopes do not open "+req.RouteKey)
}
