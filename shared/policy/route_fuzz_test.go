package policy

import (
	"slices"
	"strings"
	"testing"
)

// fuzzTemplates are route templates as API Gateway names them; each takes
// the fuzzer's two values, in order, as its parameters.
var fuzzTemplates = []string{
	"/orders/{id}/items",
	"/orders/{id}",
	"/a/{x}/{y}",
	"/files/{path+}",
	"/a/{x}/{rest+}",
	"/tokens/{id}",
}

// fuzzPatterns cover literals, "*", a final "**" and "{self}" at every
// depth the templates reach.
var fuzzPatterns = []string{
	"GET /orders", "GET /orders/*", "GET /orders/*/items", "GET /orders/1", "GET /orders/1/items",
	"GET /orders/**", "GET /a/*/*", "GET /a/b/c", "GET /a/*", "GET /a/**", "GET /a/*/c/**",
	"GET /files/*", "GET /files/**", "GET /files/a/b", "GET /*", "GET /**", "GET /tokens/*/usage",
}

var fuzzSelf = []string{"GET /tokens/{self}", "GET /orders/{self}/items"}

// wantSegments is what Routed(tmpl, a, b) must walk as, written from the
// rule and not from the code: a literal is itself, "{x}" is its value as
// one segment, "{x+}" the rest split at '/' (one trailing slash
// forgiven). ok is false when some segment is empty or a dot segment,
// plain or percent-encoded, or a split one holds "%2F": then the Path
// must match nothing.
func wantSegments(tmpl string, vals []string) (segs []string, ok bool) {
	i := 0
	for _, s := range strings.Split(tmpl[1:], "/") {
		switch {
		case strings.HasSuffix(s, "+}"):
			v := vals[i]
			i++
			if len(v) > 1 && strings.HasSuffix(v, "/") {
				v = v[:len(v)-1]
			}
			for _, g := range strings.Split(v, "/") {
				// Split text holds no encoded slash: "a%2Fb" is two
				// segments to whoever decodes it once more.
				if strings.Contains(strings.ToUpper(g), "%2F") {
					return nil, false
				}
				segs = append(segs, g)
			}
		case strings.HasPrefix(s, "{"):
			segs = append(segs, vals[i])
			i++
		default:
			segs = append(segs, s)
		}
	}
	undot := strings.NewReplacer("%2E", ".", "%2e", ".")
	for _, s := range segs {
		if d := undot.Replace(s); s == "" || d == "." || d == ".." {
			return nil, false
		}
	}
	return segs, true
}

// refMatch is the catalogue's pattern rule over a plain segment list.
func refMatch(pat string, segs []string, self string) bool {
	_, path, _ := strings.Cut(pat, " ")
	var ps []string
	if path != "/" {
		ps = strings.Split(path[1:], "/")
	}
	for i, p := range ps {
		if p == "**" {
			return len(segs) > i
		}
		if i >= len(segs) {
			return false
		}
		switch p {
		case "*":
		case "{self}":
			if self == "" || segs[i] != self {
				return false
			}
		default:
			if segs[i] != p {
				return false
			}
		}
	}
	return len(segs) == len(ps)
}

// walk lists a Path's segments as the matcher sees them.
func walk(p *Path) []string {
	var out []string
	for c := p.start(); ; {
		s, ok := p.next(&c)
		if !ok {
			return out
		}
		out = append(out, s)
	}
}

// FuzzRoutedShape holds issue 23's invariant: the route checked has
// exactly the shape of the template API Gateway matched, each parameter
// one segment (a greedy one the rest), so whatever a value holds ('?',
// '#', '/', '%', dots, bytes that are not UTF-8) it changes which pattern
// matches only through its own segment. Raw paths split at '/' alone.
func FuzzRoutedShape(f *testing.F) {
	for _, v := range []string{"1", "1?", "1?/items", "1#", "1/items", "%2F", "%25", ".", "..", "%2E%2E", ".%2e",
		"\xff\xfe", "", "a/b", "a%2Fb", "a%2f", "a/../b", "a/", "/", "items", "b", "c", "1?x=/y"} {
		f.Add(uint8(0), v, "c")
		f.Add(uint8(2), "b", v)
		f.Add(uint8(3), v, "")
		f.Add(uint8(4), "b", "c/"+v)
	}
	patterns := make([]pattern, 0, len(fuzzPatterns)+len(fuzzSelf))
	for _, s := range fuzzPatterns {
		p, err := compilePattern(s)
		if err != nil {
			f.Fatal(err)
		}
		patterns = append(patterns, p)
	}
	for _, s := range fuzzSelf {
		p, err := compileSelf(s)
		if err != nil {
			f.Fatal(err)
		}
		patterns = append(patterns, p)
	}
	f.Fuzz(func(t *testing.T, which uint8, a, b string) {
		tmpl := fuzzTemplates[int(which)%len(fuzzTemplates)]
		vals := []string{a, b}
		names := map[string]string{}
		i := 0
		for _, s := range strings.Split(tmpl[1:], "/") {
			if strings.HasPrefix(s, "{") {
				names[strings.Trim(s, "{}+")] = vals[i]
				i++
			}
		}
		path := Routed(tmpl, func(n string) string { return names[n] })
		want, ok := wantSegments(tmpl, vals)
		if ok != (path.kind == pathRouted) {
			t.Fatalf("Routed(%q, %q): kind %d, want well-formed %v", tmpl, vals, path.kind, ok)
		}
		if ok {
			if got := walk(&path); !slices.Equal(got, want) {
				t.Fatalf("Routed(%q, %q) walks %q, want %q", tmpl, vals, got, want)
			}
		}
		for _, self := range []string{"", a} {
			for k := range patterns {
				p := &patterns[k]
				got := p.match("GET", &path, self)
				if ref := ok && refMatch(p.route.String(), want, self); got != ref {
					t.Fatalf("%s on Routed(%q, %q) self %q = %v, want %v", p.route, tmpl, vals, self, got, ref)
				}
			}
		}

		// The same values as a raw path: split at '/' and nowhere else.
		rawText := "/orders/" + a + "/" + b
		raw := Raw(rawText)
		rwant, rok := wantSegments("/orders/{x+}", []string{a + "/" + b})
		if rok != (raw.kind == pathRaw) {
			t.Fatalf("Raw(%q): kind %d, want well-formed %v", rawText, raw.kind, rok)
		}
		if rok {
			if got := walk(&raw); !slices.Equal(got, rwant) {
				t.Fatalf("Raw(%q) walks %q, want %q", rawText, got, rwant)
			}
			for k := range patterns {
				p := &patterns[k]
				if got, ref := p.match("GET", &raw, ""), refMatch(p.route.String(), rwant, ""); got != ref {
					t.Fatalf("%s on Raw(%q) = %v, want %v", p.route, rawText, got, ref)
				}
			}
		}
	})
}
