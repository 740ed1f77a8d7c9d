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
	owner, id := str("owner"), str("tokenId")
	if owner == "" || id == "" {
		return manage.Caller{}, problem(http.StatusUnauthorized, "unauthorized", "no authorizer context on this request")
	}
	return manage.Caller{
		TokenID:  id,
		Owner:    owner,
		Scopes:   cat.Effective(strings.Fields(str("scopes"))),
		SourceIP: req.RequestContext.HTTP.SourceIP,
	}, nil
}

// need checks the route's scope again behind the authorizer, so a route
// wired without it still refuses.
func need(c manage.Caller, scope string) *Problem {
	if scope == "" || c.Has(scope) {
		return nil
	}
	return problem(http.StatusForbidden, "forbidden", "this route needs the "+scope+" scope")
}
