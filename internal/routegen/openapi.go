package routegen

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/keymint/keymint/shared/api"
)

// Operation is what openapi.json says of a route that the table also says.
type Operation struct {
	OperationID string                `json:"operationId"`
	Security    []map[string][]string `json:"security"`
	Function    string                `json:"x-keymint-function"`
	Scope       string                `json:"x-keymint-scope,omitempty"`
	Self        bool                  `json:"x-keymint-self,omitempty"`
	AnyToken    bool                  `json:"x-keymint-any-token,omitempty"`
}

// Skeleton is the Operation the table implies for r: what openapi.json must
// say of it, before the hand-written summary, description, parameters,
// bodies and answers.
func Skeleton(r api.Route) Operation {
	op := Operation{OperationID: r.OperationID, Function: r.Function,
		Scope: r.Access.Scope, Self: r.Access.Self, AnyToken: r.Access.AnyToken}
	switch {
	case r.Access.Public:
		op.Security = []map[string][]string{}
	case r.Access.AnyToken:
		op.Security = []map[string][]string{{"bearerAuth": {}}}
	default:
		op.Security = []map[string][]string{{"bearerAuth": {r.Access.Scope}}}
	}
	return op
}

// Mismatch is one route on which openapi.json and the table disagree:
// Got is nil when the document lacks the route, Want is nil when the table
// does.
type Mismatch struct {
	Key       string
	Got, Want *Operation
}

func (m Mismatch) String() string {
	switch {
	case m.Got == nil:
		skel, _ := json.MarshalIndent(m.Want, "", "  ")
		method, path, _ := strings.Cut(m.Key, " ")
		return fmt.Sprintf("%s: not in openapi.json; start its operation at paths[%q][%q] from\n%s",
			m.Key, path, strings.ToLower(method), skel)
	case m.Want == nil:
		return m.Key + ": in openapi.json, not in the route table (shared/api/routes.go)"
	}
	g, _ := json.Marshal(m.Got)
	w, _ := json.Marshal(m.Want)
	return fmt.Sprintf("%s: openapi.json says %s, the route table %s", m.Key, g, w)
}

// CheckOpenAPI lists every way doc's operations differ from routes: an
// operation the table lacks, a route the document lacks, and a route on
// which any field of Skeleton differs.
func CheckOpenAPI(doc []byte, routes []api.Route) ([]Mismatch, error) {
	var d struct {
		Paths map[string]map[string]Operation `json:"paths"`
	}
	if err := json.Unmarshal(doc, &d); err != nil {
		return nil, fmt.Errorf("openapi.json: %w", err)
	}
	ops := map[string]Operation{}
	for path, item := range d.Paths {
		for method, op := range item {
			ops[strings.ToUpper(method)+" "+path] = op
		}
	}
	var out []Mismatch
	for _, r := range routes {
		want := Skeleton(r)
		got, ok := ops[r.Key()]
		delete(ops, r.Key())
		switch {
		case !ok:
			out = append(out, Mismatch{Key: r.Key(), Want: &want})
		case !sameOperation(got, want):
			out = append(out, Mismatch{Key: r.Key(), Got: &got, Want: &want})
		}
	}
	for _, key := range slices.Sorted(maps.Keys(ops)) {
		got := ops[key]
		out = append(out, Mismatch{Key: key, Got: &got})
	}
	return out, nil
}

func sameOperation(a, b Operation) bool {
	if a.OperationID != b.OperationID || a.Function != b.Function || a.Scope != b.Scope ||
		a.Self != b.Self || a.AnyToken != b.AnyToken || a.Security == nil ||
		len(a.Security) != len(b.Security) {
		return false
	}
	for i := range a.Security {
		if !maps.EqualFunc(a.Security[i], b.Security[i], slices.Equal) {
			return false
		}
	}
	return true
}
