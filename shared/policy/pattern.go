package policy

import (
	"fmt"
	"slices"
	"strings"
)

// Route is one route pattern in catalogue syntax: Method is an upper-case
// HTTP method or "*" (any; "ANY" in a catalogue is reported as "*"), Path uses
// "*" and "**" segments.
type Route struct {
	Method, Path string
}

// String gives the route back in catalogue form, "METHOD /path".
func (r Route) String() string { return r.Method + " " + r.Path }

type segKind uint8

const (
	segLiteral segKind = iota
	segOne             // "*"
	segRest            // "**", only ever last
	segSelf            // "{self}": the calling token's own id (self routes only)
)

type segment struct {
	kind segKind
	lit  string
}

// pattern is a route compiled once at Parse time so that Allows, which runs
// on every API request, only compares strings.
type pattern struct {
	route     Route
	anyMethod bool
	segs      []segment
}

// compilePattern accepts only a canonical-looking "METHOD /path": the
// catalogue is security configuration, so a typo must fail loudly at load
// rather than silently open or close a route.
func compilePattern(s string) (pattern, error) { return compile(s, false) }

// compileSelf compiles a self route, which may use "{self}" segments.
func compileSelf(s string) (pattern, error) {
	p, err := compile(s, true)
	if err == nil && !slices.ContainsFunc(p.segs, func(g segment) bool { return g.kind == segSelf }) {
		return pattern{}, fmt.Errorf("route %q: a self route needs a {self} segment", s)
	}
	return p, err
}

func compile(s string, allowSelf bool) (pattern, error) {
	method, path, ok := strings.Cut(s, " ")
	if !ok {
		return pattern{}, fmt.Errorf("route %q: want \"METHOD /path\"", s)
	}
	var p pattern
	switch {
	case method == "*" || method == "ANY":
		p.anyMethod = true
		p.route.Method = "*"
	case isMethod(method):
		p.route.Method = method
	default:
		return pattern{}, fmt.Errorf("route %q: method must be upper-case letters, \"*\" or \"ANY\"", s)
	}
	if !strings.HasPrefix(path, "/") {
		return pattern{}, fmt.Errorf("route %q: path must start with \"/\"", s)
	}
	if len(path) > 1 {
		path = strings.TrimSuffix(path, "/")
	}
	p.route.Path = path
	if path == "/" {
		return p, nil
	}
	parts := strings.Split(path[1:], "/")
	p.segs = make([]segment, 0, len(parts))
	for i, seg := range parts {
		switch {
		case seg == "":
			return pattern{}, fmt.Errorf("route %q: empty path segment", s)
		case seg == "*":
			p.segs = append(p.segs, segment{kind: segOne})
		case seg == "**":
			if i != len(parts)-1 {
				return pattern{}, fmt.Errorf("route %q: \"**\" may only be the last segment", s)
			}
			p.segs = append(p.segs, segment{kind: segRest})
		case allowSelf && seg == "{self}":
			p.segs = append(p.segs, segment{kind: segSelf})
		case seg == "." || seg == "..":
			return pattern{}, fmt.Errorf("route %q: dot segment", s)
		case strings.ContainsAny(seg, "{}"):
			// API Gateway writes parameters as {id}; here that would be a
			// literal nobody ever sends, so the route would silently never match.
			return pattern{}, fmt.Errorf("route %q: use \"*\" for a path parameter, not {name}", s)
		case !literalSegment(seg):
			return pattern{}, fmt.Errorf("route %q: segment %q holds a character a route cannot "+
				"(letters, digits and -._~!&'()+,;=:@ only)", s, seg)
		default:
			p.segs = append(p.segs, segment{kind: segLiteral, lit: seg})
		}
	}
	return p, nil
}

func isMethod(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}

// literalByte is what a literal segment may hold: RFC 3986's pchar without
// percent-encoding, characters no encoding ever needs to change, so a
// parameter's decoded value equals the literal only when the request named
// that very segment (doc.go), which is what lets the two be compared. Of pchar, "*" and "$" are left out too:
// they mean something in an IAM resource, where literals are copied
// verbatim (iam.go).
var literalByte = func() (t [256]bool) {
	for c := range 256 {
		t[c] = 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			strings.IndexByte("-._~!&'()+,;=:@", byte(c)) >= 0
	}
	return t
}()

func literalSegment(s string) bool {
	for i := 0; i < len(s); i++ {
		if !literalByte[s[i]] {
			return false
		}
	}
	return true
}

// match reports whether the pattern covers method and path; self is the
// caller's token id ("" matches no {self} segment). path must be one Raw or
// Routed built (AllowsPath checks): its segments are non-empty, and a
// parameter's value is one segment whatever it holds.
func (p *pattern) match(method string, path *Path, self string) bool {
	if !p.anyMethod && method != p.route.Method {
		return false
	}
	c := path.start()
	for _, s := range p.segs {
		if s.kind == segRest {
			return c.more()
		}
		seg, ok := path.next(&c)
		if !ok || s.kind == segLiteral && seg != s.lit || s.kind == segSelf && (self == "" || seg != self) {
			return false
		}
	}
	return !c.more()
}

func matchAny(ps []pattern, method string, path *Path, self string) bool {
	for i := range ps {
		if ps[i].match(method, path, self) {
			return true
		}
	}
	return false
}
