package samschema

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// cand is a schema node and the definition it belongs to.
type cand struct {
	def  string
	node map[string]any
}

// prop is a property schema: Properties of definition def.
type prop struct {
	def, name string
	node      map[string]any
}

func (p prop) String() string {
	return strings.TrimPrefix(p.def, "samtranslator__internal__schema_source__") + "." + p.name
}

// at returns the raw node at a JSON pointer of the schema.
func (s *Schema) at(ptr string) cand {
	var node any = s.raw
	def := "SamModel"
	toks := strings.Split(strings.TrimPrefix(ptr, "/"), "/")
	for i, tok := range toks {
		if tok == "" {
			continue
		}
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		if i == 1 && toks[0] == "definitions" {
			def = tok
		}
		switch n := node.(type) {
		case map[string]any:
			node = n[tok]
		case []any:
			i, _ := strconv.Atoi(tok)
			if i < 0 || i >= len(n) {
				return cand{def, nil}
			}
			node = n[i]
		}
	}
	m, _ := node.(map[string]any)
	return cand{def, m}
}

// deref follows $ref (in draft-04 a $ref replaces its siblings).
func (s *Schema) deref(c cand) cand {
	for i := 0; i < 16; i++ {
		ref, ok := c.node["$ref"].(string)
		if !ok {
			return c
		}
		name, ok := strings.CutPrefix(ref, "#/definitions/")
		if !ok {
			return c
		}
		n, _ := s.defs[name].(map[string]any)
		c = cand{name, n}
	}
	return c
}

func (s *Schema) branches(c cand, keyword string) []cand {
	var out []cand
	list, _ := c.node[keyword].([]any)
	for _, b := range list {
		m, _ := b.(map[string]any)
		out = append(out, s.deref(cand{c.def, m}))
	}
	return out
}

// fits picks the alternatives of an anyOf that fit v: by the Type
// discriminator when v has one (resources, events), then by JSON type, then,
// among maps, the ones that declare most of v's keys (an HttpApi Lambda
// authorizer against an OAuth2 one). None fit: why not.
func (s *Schema) fits(branches []cand, v any) ([]int, string) {
	idx := make([]int, len(branches))
	for i := range idx {
		idx[i] = i
	}
	obj, isObj := v.(map[string]any)
	discriminated := false
	for _, b := range branches {
		tp, _ := props(b.node)["Type"].(map[string]any)
		_, hasEnum := tp["enum"]
		_, hasPat := tp["pattern"]
		discriminated = discriminated || hasEnum || hasPat
	}
	if typ, ok := obj["Type"].(string); discriminated && ok {
		var keep []int
		for _, i := range idx {
			tp, _ := props(branches[i].node)["Type"].(map[string]any)
			enum, hasEnum := tp["enum"].([]any)
			pat, hasPat := tp["pattern"].(string)
			switch {
			case hasEnum:
				if slices.Contains(enum, any(typ)) {
					keep = append(keep, i)
				}
			case hasPat:
				if re, err := samRegexp(pat); err == nil && re.MatchString(typ) {
					keep = append(keep, i)
				}
			default:
				keep = append(keep, i)
			}
		}
		if len(keep) == 0 {
			return nil, fmt.Sprintf("no alternative of the schema has Type %q", typ)
		}
		idx = keep
	} else if discriminated && isObj {
		return nil, "the value has no string Type, by which the schema tells its alternatives apart"
	}
	var keep []int
	for _, i := range idx {
		if typeFits(branches[i].node, v) {
			keep = append(keep, i)
		}
	}
	if len(keep) == 0 {
		return nil, "the value is " + jsonType(v) + ", which no alternative takes"
	}
	idx = keep
	if isObj && len(idx) > 1 {
		best, keep := -1, []int(nil)
		for _, i := range idx {
			n := 0
			for k := range obj {
				if _, ok := props(branches[i].node)[k]; ok {
					n++
				}
			}
			switch {
			case n > best:
				best, keep = n, []int{i}
			case n == best:
				keep = append(keep, i)
			}
		}
		idx = keep
	}
	return idx, ""
}

// expand lists the schemas that apply to v at c: c itself, its allOf, and
// the alternatives of its anyOf that fit v, $refs followed.
func (s *Schema) expand(c cand, v any) []cand {
	c = s.deref(c)
	if c.node == nil {
		return nil
	}
	out := []cand{c}
	for _, b := range s.branches(c, "allOf") {
		out = append(out, s.expand(b, v)...)
	}
	for _, kw := range []string{"anyOf", "oneOf"} {
		bs := s.branches(c, kw)
		keep, _ := s.fits(bs, v)
		for _, i := range keep {
			out = append(out, s.expand(bs[i], v)...)
		}
	}
	return out
}

// lookup returns the property schemas met on the way from the document's
// root to path, outermost first. It stops where the schema says no more
// (inside a PassThroughProp or a free-form map, say); undeclared: it stopped
// at a key the schema forbids (additionalProperties false), an error already.
func (s *Schema) lookup(doc any, path []string) (chain []prop, undeclared bool) {
	cur := []cand{{"SamModel", s.raw}}
	v := doc
	for _, key := range path {
		var next []cand
		var found *prop
		closed := false
		for _, c := range cur {
			for _, x := range s.expand(c, v) {
				switch v.(type) {
				case map[string]any:
					if p, ok := props(x.node)[key].(map[string]any); ok {
						next = append(next, cand{x.def, p})
						if found == nil {
							found = &prop{x.def, key, p}
						}
					} else if ap, ok := x.node["additionalProperties"].(map[string]any); ok {
						next = append(next, cand{x.def, ap})
					} else if ap, ok := x.node["additionalProperties"].(bool); ok && !ap {
						closed = true
					}
				case []any:
					if it, ok := x.node["items"].(map[string]any); ok {
						next = append(next, cand{x.def, it})
					}
				}
			}
		}
		if found != nil {
			chain = append(chain, *found)
		}
		if len(next) == 0 {
			return chain, closed
		}
		cur, v = next, child(v, key)
	}
	return chain, false
}

// passThrough returns the first property on the chain that SAM passes to
// CloudFormation as it is: marked __samPassThrough, or documented "passed
// directly to" a CloudFormation property.
func passThrough(chain []prop) (prop, bool) {
	for _, p := range chain {
		if _, ok := p.node["__samPassThrough"]; ok {
			return p, true
		}
		if strings.Contains(compatibility(p.node), "passed directly to") {
			return p, true
		}
	}
	return prop{}, false
}

var (
	compatRE = regexp.MustCompile(`\*(?:AWS )?CloudFormation compatibility\*:\s*([^\n]*)`)
	linkRE   = regexp.MustCompile(`\[([^\]]*)\]\([^)]*\)`)
)

// compatibility is the first sentence of the "CloudFormation compatibility"
// line of SAM's documentation of a property, which the schema carries,
// without its links.
func compatibility(node map[string]any) string {
	md, _ := node["markdownDescription"].(string)
	m := compatRE.FindStringSubmatch(md)
	if m == nil {
		return ""
	}
	s := strings.TrimSpace(linkRE.ReplaceAllString(m[1], "$1"))
	if i := strings.Index(s, ". "); i >= 0 {
		s = s[:i+1]
	}
	return s
}

// sentOpenAPI are SAM-only properties SAM's translator copies as they stand
// into the OpenAPI body it generates for an HttpApi.
var sentOpenAPI = map[string]bool{
	"LambdaAuthorizerIdentity.ReauthorizeEvery":       true,
	"LambdaAuthorizer.EnableSimpleResponses":          true,
	"LambdaAuthorizer.AuthorizerPayloadFormatVersion": true,
}

func (s *Schema) refusal(chain []prop) string {
	if len(chain) == 0 {
		return "SAM wants a literal here and does not resolve an intrinsic"
	}
	p := chain[len(chain)-1]
	want := s.want(p.node)
	if sentOpenAPI[p.def+"."+p.name] {
		return "SAM wants " + want + " here and copies an intrinsic into the OpenAPI body unresolved"
	}
	why := "SAM reads it itself while transforming the template and does not resolve an intrinsic"
	if c := compatibility(p.node); c != "" {
		why += fmt.Sprintf(" (%s: %q)", p, c)
	}
	return "SAM wants " + want + " here; " + why
}

// want describes what a property schema takes: "an integer", "a boolean",
// `one of "Active", "PassThrough"`, ...
func (s *Schema) want(node map[string]any) string {
	c := s.deref(cand{"", node})
	if enum, ok := c.node["enum"].([]any); ok {
		var vs []string
		for _, e := range enum {
			b, _ := json.Marshal(e)
			vs = append(vs, string(b))
		}
		if len(vs) == 1 {
			return vs[0]
		}
		return "one of " + strings.Join(vs, ", ")
	}
	var alts []string
	for _, kw := range []string{"anyOf", "oneOf"} {
		for _, b := range s.branches(c, kw) {
			alts = append(alts, s.want(b.node))
		}
	}
	for _, b := range s.branches(c, "allOf") {
		if w := s.want(b.node); w != "anything" {
			return w
		}
	}
	if len(alts) > 0 {
		return strings.Join(alts, " or ")
	}
	switch t, _ := c.node["type"].(string); t {
	case "integer":
		return "an integer"
	case "boolean":
		return "a boolean"
	case "string":
		return "a string"
	case "number":
		return "a number"
	case "array":
		return "a list"
	case "object":
		if _, ok := c.node["properties"]; ok {
			return "a map of its own properties"
		}
		return "a map"
	}
	return "anything"
}

func props(node map[string]any) map[string]any {
	p, _ := node["properties"].(map[string]any)
	return p
}

func typeFits(node map[string]any, v any) bool {
	var types []string
	switch t := node["type"].(type) {
	case string:
		types = []string{t}
	case []any:
		for _, x := range t {
			if s, ok := x.(string); ok {
				types = append(types, s)
			}
		}
	default:
		return true
	}
	got := jsonType(v)
	for _, t := range types {
		if t == got || t == "number" && got == "integer" {
			return true
		}
	}
	return false
}
