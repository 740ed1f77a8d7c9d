package api

import (
	"maps"
	"slices"
)

// ServedRoute is one route a handler serves: its function's logical id in
// template.yaml, its route key, and whether it is served without the
// authorizer.
type ServedRoute struct {
	Function string
	Key      string
	Public   bool
}

// Routes lists every route NewIssue, NewRevoke and NewDescribe mount,
// sorted by function then key.
func Routes(d Deps) []ServedRoute {
	var out []ServedRoute
	for _, h := range []struct {
		function string
		r        *router
	}{
		{"DescribeFunction", NewDescribe(d).r},
		{"IssueFunction", NewIssue(d).r},
		{"RevokeFunction", NewRevoke(d).r},
	} {
		for _, k := range slices.Sorted(maps.Keys(h.r.routes)) {
			out = append(out, ServedRoute{Function: h.function, Key: k})
		}
		for _, k := range slices.Sorted(maps.Keys(h.r.public)) {
			out = append(out, ServedRoute{Function: h.function, Key: k, Public: true})
		}
	}
	return out
}
