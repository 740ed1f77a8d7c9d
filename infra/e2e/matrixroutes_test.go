package e2e_test

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/keymint/keymint/shared/api"
)

// The matrix's routes: every route of the route table (api.Table), who may
// call it from its Access, and what a cell sends from its method and path
// (defaultSends), unless sendsByOperation says otherwise. A new route that
// fits a rule class needs no edit here; one that fits none fails the matrix
// with what to add.

// sendsByOperation is, by operationId, what a cell sends to a route whose
// default does not fit: a body, a success status other than 200, or a rule
// of its own. Its scope comes from the table.
var sendsByOperation = map[string]matrixRoute{
	"issueToken": {rule: ruleIssue, ok: 201,
		body: func(tg matrixTarget, unique func(string) string) any {
			return map[string]any{"name": unique("iss"), "scopes": tg.scopes, "owner": tg.owner}
		}},
	"editToken": {rule: ruleChange, ok: 200,
		body: func(matrixTarget, func(string) string) any { return map[string]any{"description": "m"} }},
	"regenerateToken": {rule: ruleChange, ok: 200,
		body: func(matrixTarget, func(string) string) any { return map[string]any{} }},
	"copyToken": {rule: ruleChange, ok: 201,
		body: func(_ matrixTarget, unique func(string) string) any { return map[string]any{"name": unique("cp")} }},
	"setOwnerStatus": {rule: ruleOwnerStatus, ok: 200,
		body: func(matrixTarget, func(string) string) any { return map[string]any{"status": "active"} }},
	// Setting what is already so: no cell's owner changes under another.
	"setOwnerPolicy": {rule: ruleOwnerAdmin, ok: 200,
		body: func(matrixTarget, func(string) string) any { return map[string]any{"singleToken": false} }},
}

// consoleRoutes are KeymintApi's routes that are not the management API's:
// the console's page and files, public like GET /openapi.json.
var consoleRoutes = map[string]matrixRoute{
	"GET /":               {rule: rulePublic, ok: 200},
	"GET /console/{file}": {rule: rulePublic, ok: 200},
}

// bulkPath is a POST on the token collection that names its targets in
// the body: /tokens/revoke, /tokens/deactivate, …
var bulkPath = regexp.MustCompile(`^/tokens/[a-z-]+$`)

// defaultSends is what a cell sends to r and the rule it meets, from r's
// access, method and path alone; false when none fits.
func defaultSends(r api.Route) (matrixRoute, bool) {
	onToken := r.Path == "/tokens/{id}" || strings.HasPrefix(r.Path, "/tokens/{id}/")
	switch get := r.Method == "GET"; {
	case r.Access.Public && get:
		return matrixRoute{rule: rulePublic, ok: 200}, true
	case r.Access.AnyToken && get:
		return matrixRoute{rule: ruleWhoAmI, ok: 200}, true
	case r.Access.Public || r.Access.AnyToken:
	case get && r.Path == "/tokens":
		return matrixRoute{rule: ruleList, ok: 200}, true
	case get && onToken:
		return matrixRoute{rule: ruleRead, ok: 200}, true
	case onToken:
		return matrixRoute{rule: ruleChange, ok: 200}, true
	case r.Method == "POST" && bulkPath.MatchString(r.Path):
		return matrixRoute{rule: ruleBulk, ok: 200, body: idsBody}, true
	case get && (r.Path == "/owners" || strings.HasPrefix(r.Path, "/owners/")):
		return matrixRoute{rule: ruleOwnerAdmin, ok: 200}, true
	}
	return matrixRoute{}, false
}

// matrixRoutes is the oracle's view of every route, by "METHOD /path": the
// scope that opens it, the rule its function applies and what a cell
// sends. A route it cannot classify, or an entry of sendsByOperation no
// route has, fails t.
func matrixRoutes(t *testing.T, table []api.Route) map[string]matrixRoute {
	t.Helper()
	routes, problems := classifyRoutes(table)
	for _, p := range problems {
		t.Error(p)
	}
	if len(problems) > 0 {
		t.FailNow()
	}
	return routes
}

// classifyRoutes is matrixRoutes' work: the rows, and one line per route
// it cannot classify or entry it cannot use, saying what to do.
func classifyRoutes(table []api.Route) (map[string]matrixRoute, []string) {
	routes := maps.Clone(consoleRoutes)
	var problems []string
	used := map[string]bool{}
	for _, r := range table {
		mr, ok := sendsByOperation[r.OperationID]
		used[r.OperationID] = ok
		if !ok {
			if mr, ok = defaultSends(r); !ok {
				problems = append(problems, fmt.Sprintf("route %s (operationId %s) fits no rule class of the matrix: add %q to sendsByOperation in infra/e2e/matrixroutes_test.go with its rule (or a new routeRule and its oracle case), success status and body",
					r.Key(), r.OperationID, r.OperationID))
				continue
			}
		}
		mr.scope = r.Access.Scope // "" for AnyToken and Public: no scope opens it
		routes[r.Key()] = mr
	}
	for _, id := range slices.Sorted(maps.Keys(sendsByOperation)) {
		if !used[id] {
			problems = append(problems, fmt.Sprintf("sendsByOperation has %q, which no route of api.Table has: remove it", id))
		}
	}
	return routes, problems
}
