package api

import (
	"maps"
	"slices"
)

// Route is one route a handler serves: its function's logical id in
// template.yaml, its route key, and whether it is served without the
// authorizer.
type Route struct {
	Function string
	Key      string
	Public   bool
}

// Routes lists every route NewIssue, NewRevoke and NewDescribe register,
// sorted by function then key.
func Routes(d Deps) []Route {
	var out []Route
	for _, h := range []struct {
		function string
		r        *router
	}{
		{"DescribeFunction", NewDescribe(d).r},
		{"IssueFunction", NewIssue(d).r},
		{"RevokeFunction", NewRevoke(d).r},
	} {
		for _, k := range slices.Sorted(maps.Keys(h.r.routes)) {
			out = append(out, Route{Function: h.function, Key: k})
		}
		for _, k := range slices.Sorted(maps.Keys(h.r.public)) {
			out = append(out, Route{Function: h.function, Key: k, Public: true})
		}
	}
	return out
}
