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
	return manage.Caller{
		TokenID:  id,
		Person:   person,
		Owner:    owner,
		Scopes:   cat.Effective(strings.Fields(str("scopes"))),
		SourceIP: req.RequestContext.HTTP.SourceIP,
	}, nil
}

// permitted checks the route against the caller's scopes again behind the
// authorizer, so a route wired without it still refuses. The path is the
// route's template with its parameters filled in: what the catalogue's
// patterns describe, whatever stage or base path the request came through.
func permitted(cat *policy.Catalogue, c manage.Caller, req *events.APIGatewayV2HTTPRequest) *Problem {
	method, tmpl, _ := strings.Cut(req.RouteKey, " ")
	path, ok := policy.FillRoute(tmpl, req.PathParameters)
	if ok && cat.AllowsFor(c.Scopes, c.TokenID, method, path) {
		return nil
	}
	return problem(http.StatusForbidden, "forbidden", "your scopes do not open "+req.RouteKey)
}
