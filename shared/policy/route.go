package policy

import "strings"

// MaxParams is how many path parameters a routed Path holds. A route
// template naming more matches nothing.
const MaxParams = 16

type pathKind uint8

const (
	pathUnset  pathKind = iota // the zero Path: built by neither Routed nor Raw
	pathRaw                    // text is a path, its segments split at '/'
	pathRouted                 // text is a route template, its parameters in vals
	pathBad                    // built from something no route can be: matches nothing
)

// Path is a request's path as the catalogue matches it: a list of
// segments, never a string to be parsed again. Build it with Routed where
// API Gateway names the route it matched, else with Raw. A Path matches
// nothing unless it was built from a well-formed route or path; the zero
// Path matches nothing either. It is a value (no pointers but its strings'),
// comparable, and building or matching one allocates nothing.
type Path struct {
	// text: for a routed Path the template after its leading slash, for
	// a raw one the path after its leading slash and without one trailing
	// slash ("" for the root either way).
	text string
	vals [MaxParams]string // routed: the parameters' values, in the template's order
	kind pathKind
}

// IsZero reports a Path built by neither Routed nor Raw.
func (p *Path) IsZero() bool { return p.kind == pathUnset }

// Routed is the path of a request API Gateway matched to the route template
// tmpl (an HTTP API routeKey's path, "/orders/{id}/items"; a REST event's
// resource, "/files/{path+}"), param giving each path parameter's value by
// name. Each segment of the template is one segment of the Path: a literal
// is itself; "{name}" is the parameter's value as one opaque segment,
// whatever it holds ('/', '?', '#', '%', anything); "{name+}" (greedy, last
// only) is the rest of the path, its value split at '/'. So a parameter can
// neither shorten, lengthen nor reshape the route API Gateway chose. A value
// that is empty, "." or ".." (or, in a greedy one, an empty or dot segment),
// a missing parameter, or a template API Gateway would not accept makes a
// Path that matches nothing.
func Routed(tmpl string, param func(name string) string) Path {
	p := Path{kind: pathBad}
	rest, ok := strings.CutPrefix(tmpl, "/")
	if !ok {
		return p
	}
	n := 0
	for s, r, more := rest, "", rest != ""; more; s = r {
		s, r, more = strings.Cut(s, "/")
		name, kind := templateSegment(s)
		if kind == tmplLiteral {
			continue
		}
		if kind == tmplBad || kind == tmplGreedy && more || n == MaxParams {
			return p
		}
		v := param(name)
		if kind == tmplGreedy {
			// One trailing slash is forgiven, as Raw forgives it.
			if l := len(v); l > 1 && v[l-1] == '/' {
				v = v[:l-1]
			}
			if !segments(v) {
				return p
			}
		} else if !oneSegment(v) {
			return p
		}
		p.vals[n] = v
		n++
	}
	p.text, p.kind = rest, pathRouted
	return p
}

// Raw is a request's path as text, for where no route is named: a REST
// methodArn's resource, a catch-all route's raw path, a direct invoke's
// route. It is split at '/' and nowhere else: no character starts a query
// (a methodArn never carries one). It must start with '/'; one trailing
// slash is forgiven; an empty, "." or ".." segment makes a Path that
// matches nothing, rather than one cleaned up to mean what a backend might
// not ("/tokens/../owners/x").
func Raw(path string) Path {
	rest, ok := strings.CutPrefix(path, "/")
	if !ok {
		return Path{kind: pathBad}
	}
	// "//" must not become the root, and deeper junk fails segments.
	if n := len(rest); n > 1 && rest[n-1] == '/' {
		rest = rest[:n-1]
	}
	if rest != "" && !segments(rest) {
		return Path{kind: pathBad}
	}
	return Path{text: rest, kind: pathRaw}
}

// DirectRoute reads the route a direct invoke carries, "METHOD /path".
// The path is Raw; a '?' or '#' in it is refused (ok false), not taken as
// the start of a query or fragment: the route is a path alone, and nothing
// API Gateway routes carries either in its path unencoded. A path Raw
// refuses (empty or dot segments, no leading '/') is refused here too, so
// the caller can say the route is malformed rather than out of scope.
func DirectRoute(route string) (method string, p Path, ok bool) {
	method, path, ok := strings.Cut(route, " ")
	if !ok || method == "" || strings.ContainsAny(path, "?#") {
		return "", Path{}, false
	}
	p = Raw(path)
	if p.kind != pathRaw {
		return "", Path{}, false
	}
	return method, p, true
}

// segments reports that s is one or more '/'-separated segments, each
// one a oneSegment and holding no encoded slash ("%2F"). Text split at '/'
// (a raw path, a greedy parameter's value) may or may not have been
// percent-decoded on its way here (AWS does not document it for a
// methodArn), and "a%2Fb" would be one segment to this check and two to
// whoever decodes it later; refused, it is neither.
func segments(s string) bool {
	for r, more := s, true; more; {
		var seg string
		seg, r, more = strings.Cut(r, "/")
		if !oneSegment(seg) || encodedSlash(seg) {
			return false
		}
	}
	return true
}

func encodedSlash(s string) bool {
	for i := 0; i+2 < len(s); i++ {
		if s[i] == '%' && s[i+1] == '2' && s[i+2]|0x20 == 'f' {
			return true
		}
	}
	return false
}

// oneSegment: a segment or a parameter's value may be anything but empty
// or a dot segment, spelt plainly or percent-encoded ("%2E%2E", ".%2e"):
// a backend that decodes what API Gateway passed on, or normalises it,
// must not find a "." or ".." the check never saw (RFC 3986 5.2.4).
func oneSegment(v string) bool { return v != "" && !dotSegment(v) }

// dotSegment reports that v is one or two dots, each '.' or "%2E"/"%2e".
func dotSegment(v string) bool {
	dots := 0
	for i := 0; i < len(v); dots++ {
		switch {
		case v[i] == '.':
			i++
		case len(v)-i >= 3 && v[i] == '%' && v[i+1] == '2' && v[i+2]|0x20 == 'e':
			i += 3
		default:
			return false
		}
	}
	return dots == 1 || dots == 2
}

type tmplKind uint8

const (
	tmplLiteral tmplKind = iota
	tmplParam
	tmplGreedy
	tmplBad
)

// templateSegment reads one segment of a route template: API Gateway
// writes a path parameter as a whole segment, "{name}", or "{name+}" for a
// greedy one
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-routes.html,
// https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-method-settings-method-request.html).
func templateSegment(s string) (name string, kind tmplKind) {
	inner, isParam := strings.CutPrefix(s, "{")
	if !isParam {
		if !oneSegment(s) || strings.ContainsAny(s, "{}") {
			return "", tmplBad
		}
		return "", tmplLiteral
	}
	inner, closed := strings.CutSuffix(inner, "}")
	if !closed {
		return "", tmplBad
	}
	kind = tmplParam
	if n, greedy := strings.CutSuffix(inner, "+"); greedy {
		inner, kind = n, tmplGreedy
	}
	if inner == "" || strings.ContainsAny(inner, "{}+/") {
		return "", tmplBad
	}
	return inner, kind
}

// cursor is where a walk over a Path's segments is (Path.next). It holds
// no pointer to the Path, so walking one keeps it where it is (on the
// caller's stack): a segment is a slice of the template or raw text, or a
// parameter's value.
type cursor struct {
	rest     string // text not yet walked
	done     bool   // no more of text
	vi       int    // the next parameter's index in vals
	greedy   string // what is left of a greedy value being walked
	inGreedy bool
}

func (p *Path) start() cursor { return cursor{rest: p.text, done: p.text == ""} }

// next is the segment at c, moving c past it; ok is false when there is
// none.
func (p *Path) next(c *cursor) (seg string, ok bool) {
	if c.inGreedy {
		seg, c.greedy, c.inGreedy = strings.Cut(c.greedy, "/")
		return seg, true
	}
	if c.done {
		return "", false
	}
	var more bool
	seg, c.rest, more = strings.Cut(c.rest, "/")
	c.done = !more
	if p.kind != pathRouted || seg[0] != '{' {
		return seg, true
	}
	v := p.vals[c.vi]
	c.vi++
	if seg[len(seg)-2] != '+' {
		return v, true
	}
	seg, c.greedy, c.inGreedy = strings.Cut(v, "/")
	return seg, true
}

func (c *cursor) more() bool { return c.inGreedy || !c.done }

// FillRoute is the path a route template and its parameters stand for
// ("/tokens/{id}" and id "x" give "/tokens/x"), for tests and logs that
// want one. It is never checked: a value holding '/' or '?' would reshape
// the path, which is why the catalogue matches a Routed Path instead. ok is
// false when a parameter the template names is missing or empty.
func FillRoute(template string, params map[string]string) (path string, ok bool) {
	var b strings.Builder
	for i, s := range strings.Split(template, "/") {
		if i > 0 {
			b.WriteByte('/')
		}
		name, isParam := strings.CutPrefix(s, "{")
		if !isParam {
			b.WriteString(s)
			continue
		}
		v := params[strings.TrimSuffix(strings.TrimSuffix(name, "}"), "+")]
		if v == "" {
			return "", false
		}
		b.WriteString(v)
	}
	return b.String(), true
}

// StripStage removes a named stage's prefix from a raw request path: on an
// execute-api URL, a stage other than $default is the first path segment.
// A route template never carries it, nor a custom domain's base path
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-routes.html,
// https://docs.aws.amazon.com/apigateway/latest/developerguide/rest-api-mappings.html).
func StripStage(rawPath, stage string) string {
	if stage == "" || stage == "$default" {
		return rawPath
	}
	if rest, ok := strings.CutPrefix(rawPath, "/"+stage); ok && (rest == "" || rest[0] == '/') {
		if rest == "" {
			return "/"
		}
		return rest
	}
	return rawPath
}
