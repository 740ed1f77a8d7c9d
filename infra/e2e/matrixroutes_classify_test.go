package e2e_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/keymint/keymint/shared/api"
)

// A route's row follows from its Access, method and path, unless
// sendsByOperation names it; a route no rule class fits, and an entry no
// route has, are reported with what to do, never skipped.
func TestMatrixRoutesClassify(t *testing.T) {
	t.Parallel()
	read := api.Access{Scope: "tokens:read"}
	for _, tc := range []struct {
		name     string
		route    api.Route
		rule     routeRule
		ok       int
		body     bool
		problems []string // substrings, one per expected problem line
	}{
		{name: "a read under a token", route: api.Route{Method: "GET", Path: "/tokens/{id}/events", OperationID: "getTokenEvents", Access: read},
			rule: ruleRead, ok: 200},
		{name: "a change to a token", route: api.Route{Method: "POST", Path: "/tokens/{id}/pause", OperationID: "pauseToken", Access: api.Access{Scope: "tokens:write"}},
			rule: ruleChange, ok: 200},
		{name: "a bulk change", route: api.Route{Method: "POST", Path: "/tokens/pause", OperationID: "pauseTokens", Access: api.Access{Scope: "tokens:write"}},
			rule: ruleBulk, ok: 200, body: true},
		{name: "an owner read", route: api.Route{Method: "GET", Path: "/owners/{owner}/usage", OperationID: "getOwnerUsage", Access: api.Access{Scope: "tokens:admin"}},
			rule: ruleOwnerAdmin, ok: 200},
		{name: "open to any token", route: api.Route{Method: "GET", Path: "/me", OperationID: "me", Access: api.Access{AnyToken: true}},
			rule: ruleWhoAmI, ok: 200},
		{name: "public", route: api.Route{Method: "GET", Path: "/health", OperationID: "health", Access: api.Access{Public: true}},
			rule: rulePublic, ok: 200},
		{name: "no class fits", route: api.Route{Method: "PUT", Path: "/plans/{plan}", OperationID: "putPlan", Access: api.Access{Scope: "tokens:admin"}},
			problems: []string{`PUT /plans/{plan} (operationId putPlan) fits no rule class of the matrix: add "putPlan" to sendsByOperation`}},
		{name: "a change open to any token", route: api.Route{Method: "POST", Path: "/tokens/{id}/ping", OperationID: "ping", Access: api.Access{AnyToken: true}},
			problems: []string{`(operationId ping) fits no rule class`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			table := append(api.Table(), tc.route)
			rows, problems := classifyRoutes(table)
			if len(problems) != len(tc.problems) {
				t.Fatalf("problems %q, want %d", problems, len(tc.problems))
			}
			for i, p := range problems {
				if !strings.Contains(p, tc.problems[i]) {
					t.Errorf("problem %q does not say %q", p, tc.problems[i])
				}
			}
			row, ok := rows[tc.route.Key()]
			if len(tc.problems) > 0 {
				if ok {
					t.Errorf("an unclassified route got a row: %+v", row)
				}
				return
			}
			if !ok || row.rule != tc.rule || row.ok != tc.ok || (row.body != nil) != tc.body || row.scope != tc.route.Access.Scope {
				t.Errorf("row %+v (present %v), want rule %d, ok %d, body %v, scope %q", row, ok, tc.rule, tc.ok, tc.body, tc.route.Access.Scope)
			}
		})
	}
	// An entry of sendsByOperation whose route left the table.
	table := slices.DeleteFunc(api.Table(), func(r api.Route) bool { return r.OperationID == "copyToken" })
	if _, problems := classifyRoutes(table); len(problems) != 1 || !strings.Contains(problems[0], `"copyToken", which no route of api.Table has`) {
		t.Errorf("problems %q, want one naming copyToken", problems)
	}
}
