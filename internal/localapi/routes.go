package localapi

import (
	"strings"

	"github.com/keymint/keymint/internal/stack"
)

// segment kinds, in the order HTTP APIs prefer them when several routes
// match: a literal beats {param}, which beats {greedy+}.
const (
	greedy = iota
	param
	literal
)

type segment struct {
	kind int
	text string // literal text or parameter name
}

type route struct {
	stack.Route
	segs []segment
}

func compile(r stack.Route) route {
	rt := route{Route: r}
	for _, s := range strings.Split(strings.TrimPrefix(r.Path, "/"), "/") {
		switch {
		case strings.HasPrefix(s, "{") && strings.HasSuffix(s, "+}"):
			rt.segs = append(rt.segs, segment{greedy, s[1 : len(s)-2]})
		case strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}"):
			rt.segs = append(rt.segs, segment{param, s[1 : len(s)-1]})
		default:
			rt.segs = append(rt.segs, segment{literal, s})
		}
	}
	return rt
}

// match reports whether the request path fits the route, with the path
// parameters. path is already percent-decoded (see ServeHTTP): it is split
// at '/' and the segments compared as they are, so an encoded slash splits
// a segment as a plain one does and never hides inside a parameter.
func (rt route) match(method, path string) (map[string]string, bool) {
	if rt.Method != method && rt.Method != "ANY" {
		return nil, false
	}
	parts := strings.Split(strings.TrimPrefix(path, "/"), "/")
	params := map[string]string{}
	for i, s := range rt.segs {
		if i >= len(parts) {
			return nil, false
		}
		switch s.kind {
		case greedy:
			rest := strings.Join(parts[i:], "/")
			if rest == "" {
				return nil, false
			}
			params[s.text] = rest
			return params, true
		case literal:
			if parts[i] != s.text {
				return nil, false
			}
		case param:
			if parts[i] == "" {
				return nil, false
			}
			params[s.text] = parts[i]
		}
	}
	if len(parts) != len(rt.segs) {
		return nil, false
	}
	return params, true
}

// moreSpecific orders two routes that both match: segment by segment the
// more literal one wins, then an exact method beats ANY.
func moreSpecific(a, b route) bool {
	for i := 0; i < len(a.segs) && i < len(b.segs); i++ {
		if a.segs[i].kind != b.segs[i].kind {
			return a.segs[i].kind > b.segs[i].kind
		}
	}
	if len(a.segs) != len(b.segs) {
		return len(a.segs) > len(b.segs)
	}
	return a.Method != "ANY" && b.Method == "ANY"
}

func find(routes []route, method, path string) (route, map[string]string, bool) {
	var (
		best   route
		params map[string]string
		found  bool
	)
	for _, rt := range routes {
		p, ok := rt.match(method, path)
		if !ok {
			continue
		}
		if !found || moreSpecific(rt, best) {
			best, params, found = rt, p, true
		}
	}
	return best, params, found
}
