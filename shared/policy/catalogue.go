package policy

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"
)

//go:embed scopes.json
var defaultCatalogue []byte

// Catalogue is a parsed, validated scope catalogue. Build it with Parse, Load
// or Default; it never changes afterwards.
type Catalogue struct {
	scopes   map[string]*scopeDef
	names    []string
	bundles  map[string][]string
	anyToken []pattern
	self     []pattern
}

type scopeDef struct {
	description string
	// effective is the scope and everything it implies, transitively, sorted.
	effective []string
	// patterns holds the routes of every scope in effective, so Allows makes
	// one map lookup per held scope and never walks implications.
	patterns []pattern
}

type catalogueFile struct {
	Scopes   map[string]scopeFile `json:"scopes"`
	AnyToken []string             `json:"anyToken"`
	Self     []string             `json:"self"`
	Bundles  map[string][]string  `json:"bundles"`
}

type scopeFile struct {
	Description string   `json:"description"`
	Implies     []string `json:"implies"`
	Routes      []string `json:"routes"`
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidCatalogue, fmt.Sprintf(format, args...))
}

// Parse reads and validates a catalogue. Unknown JSON fields are refused so
// that a misspelt key ("route", "implied") cannot quietly drop permissions.
func Parse(raw []byte) (*Catalogue, error) {
	var f catalogueFile
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, invalid("%v", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, invalid("data after the catalogue object")
	}
	if len(f.Scopes) == 0 {
		return nil, invalid("no scopes")
	}

	c := &Catalogue{
		scopes:  make(map[string]*scopeDef, len(f.Scopes)),
		bundles: make(map[string][]string, len(f.Bundles)),
	}
	for name := range f.Scopes {
		c.names = append(c.names, name)
	}
	slices.Sort(c.names)

	own := make(map[string][]pattern, len(f.Scopes))
	for _, name := range c.names {
		if err := checkName(name); err != nil {
			return nil, invalid("scope %q: %v", name, err)
		}
		s := f.Scopes[name]
		ps, err := compileAll(s.Routes)
		if err != nil {
			return nil, invalid("scope %q: %v", name, err)
		}
		own[name] = ps
		for _, imp := range s.Implies {
			if _, ok := f.Scopes[imp]; !ok {
				return nil, invalid("scope %q implies unknown scope %q", name, imp)
			}
		}
	}
	for _, name := range c.names {
		eff := closure(f.Scopes, name)
		var ps []pattern
		for _, n := range eff {
			ps = append(ps, own[n]...)
		}
		c.scopes[name] = &scopeDef{
			description: f.Scopes[name].Description,
			effective:   eff,
			patterns:    dedupePatterns(ps),
		}
	}

	anyToken, err := compileAll(f.AnyToken)
	if err != nil {
		return nil, invalid("anyToken: %v", err)
	}
	c.anyToken = anyToken
	for _, r := range f.Self {
		p, err := compileSelf(r)
		if err != nil {
			return nil, invalid("self: %v", err)
		}
		c.self = append(c.self, p)
	}

	for _, name := range slices.Sorted(maps.Keys(f.Bundles)) {
		members := f.Bundles[name]
		if err := checkName(name); err != nil {
			return nil, invalid("bundle %q: %v", name, err)
		}
		// A bundle shadowing a scope would make a stored scope mean two
		// different things depending on who expands it.
		if _, ok := f.Scopes[name]; ok {
			return nil, invalid("bundle %q has the name of a scope", name)
		}
		if len(members) == 0 {
			return nil, invalid("bundle %q is empty", name)
		}
		for _, m := range members {
			if _, ok := f.Scopes[m]; !ok {
				return nil, invalid("bundle %q names unknown scope %q", name, m)
			}
		}
		c.bundles[name] = sortedUnique(members)
	}
	return c, nil
}

// Load reads the catalogue at path (SCOPES_FILE); "" means the embedded
// default. A missing file keeps its fs error (errors.Is(err, fs.ErrNotExist))
// so the caller can tell a deployment mistake from a bad catalogue.
func Load(path string) (*Catalogue, error) {
	if path == "" {
		return Default()
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("scope catalogue: %w", err)
	}
	c, err := Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// Default parses the catalogue shipped with the functions (scopes.json).
func Default() (*Catalogue, error) { return Parse(defaultCatalogue) }

// checkName keeps names safe to join with spaces: the authorizer passes
// scopes downstream as one space-separated context string.
func checkName(name string) error {
	if name == "" {
		return errors.New("empty name")
	}
	if len(name) > 128 {
		return errors.New("name longer than 128 bytes")
	}
	for i := 0; i < len(name); i++ {
		b := name[i]
		ok := b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' ||
			strings.IndexByte(":._-/", b) >= 0
		if !ok {
			return fmt.Errorf("byte %q not allowed in a name (letters, digits and :._-/ only)", b)
		}
	}
	return nil
}

func compileAll(routes []string) ([]pattern, error) {
	ps := make([]pattern, 0, len(routes))
	for _, r := range routes {
		p, err := compilePattern(r)
		if err != nil {
			return nil, err
		}
		ps = append(ps, p)
	}
	return dedupePatterns(ps), nil
}

// closure walks "implies" transitively; a cycle just makes its scopes
// equivalent, which is harmless, so it is not an error.
func closure(scopes map[string]scopeFile, name string) []string {
	seen := map[string]bool{name: true}
	stack := []string{name}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, imp := range scopes[n].Implies {
			if !seen[imp] {
				seen[imp] = true
				stack = append(stack, imp)
			}
		}
	}
	out := make([]string, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

func dedupePatterns(ps []pattern) []pattern {
	seen := make(map[Route]bool, len(ps))
	out := ps[:0:0]
	for _, p := range ps {
		if !seen[p.route] {
			seen[p.route] = true
			out = append(out, p)
		}
	}
	return out
}

func sortedUnique(in []string) []string {
	out := slices.Clone(in)
	slices.Sort(out)
	return slices.Compact(out)
}

// Known reports whether scope is a scope of the catalogue; a bundle name is not.
func (c *Catalogue) Known(scope string) bool {
	_, ok := c.scopes[scope]
	return ok
}

// Description is the scope's human description ("" when it has none or is unknown).
func (c *Catalogue) Description(scope string) string {
	if d := c.scopes[scope]; d != nil {
		return d.description
	}
	return ""
}

// Expand turns what a client asked for (scopes and bundle names) into the
// sorted, deduplicated scopes a token stores. Implications are not added:
// they are applied when routes are matched, so a token records what it was
// given. The first entry that is neither scope nor bundle fails the whole
// request with an UnknownScopeError.
func (c *Catalogue) Expand(requested []string) ([]string, error) {
	out := make([]string, 0, len(requested))
	for _, r := range requested {
		if c.Known(r) {
			out = append(out, r)
			continue
		}
		members, ok := c.bundles[r]
		if !ok {
			return nil, UnknownScopeError{Scope: r}
		}
		out = append(out, members...)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// Effective is scopes plus everything they imply, sorted and deduplicated,
// e.g. for deciding which scopes a caller holds and may grant. Entries the
// catalogue does not know are kept as given.
func (c *Catalogue) Effective(scopes []string) []string {
	out := make([]string, 0, len(scopes))
	for _, s := range scopes {
		if d := c.scopes[s]; d != nil {
			out = append(out, d.effective...)
		} else {
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Implies reports whether holding scopes means holding want, directly or
// through an implication.
func (c *Catalogue) Implies(scopes []string, want string) bool {
	for _, s := range scopes {
		if s == want {
			return true
		}
		if d := c.scopes[s]; d != nil && slices.Contains(d.effective, want) {
			return true
		}
	}
	return false
}

// Allows reports whether a token holding scopes may call method on the
// path, read as Raw reads it. anyToken routes are open to every valid token,
// whatever its scopes. Scopes the catalogue does not know (removed since the
// token was issued) and bundle names open nothing. Method compares exactly:
// API Gateway always sends it upper-case, and a lower-case one matches no
// pattern.
func (c *Catalogue) Allows(scopes []string, method, path string) bool {
	return c.AllowsFor(scopes, "", method, path)
}

// AllowsFor is Allows for the token with id self, which may also call the
// catalogue's self routes on itself (read and revoke itself, say), whatever
// its scopes.
func (c *Catalogue) AllowsFor(scopes []string, self, method, path string) bool {
	p := Raw(path)
	return c.AllowsPath(scopes, self, method, &p)
}

// AllowsPath is AllowsFor for a path as API Gateway routed it (Routed) or
// as text (Raw). A Path built from neither, or from something no route can
// be, matches nothing.
func (c *Catalogue) AllowsPath(scopes []string, self, method string, path *Path) bool {
	if method == "" || path.kind != pathRaw && path.kind != pathRouted {
		return false
	}
	if matchAny(c.anyToken, method, path, "") || matchAny(c.self, method, path, self) {
		return true
	}
	for _, s := range scopes {
		if d := c.scopes[s]; d != nil && matchAny(d.patterns, method, path, "") {
			return true
		}
	}
	return false
}

// ScopesOpen reports whether one of scopes itself opens the route (not an
// anyToken or self route): what decides whether a request is a use of the
// API those scopes guard.
func (c *Catalogue) ScopesOpen(scopes []string, method string, path *Path) bool {
	if method == "" || path.kind != pathRaw && path.kind != pathRouted {
		return false
	}
	for _, s := range scopes {
		if d := c.scopes[s]; d != nil && matchAny(d.patterns, method, path, "") {
			return true
		}
	}
	return false
}

// AllowsRoute is Allows for a route written "METHOD /path", the form a
// direct invoke carries (DirectRoute). Anything not of that form is
// refused, a '?' or '#' in the path included.
func (c *Catalogue) AllowsRoute(scopes []string, route string) bool {
	method, p, ok := DirectRoute(route)
	return ok && c.AllowsPath(scopes, "", method, &p)
}

// Routes lists every route pattern the scopes open, anyToken routes and
// implications included, deduplicated and sorted by path then method.
func (c *Catalogue) Routes(scopes []string) []Route { return c.RoutesFor(scopes, "") }

// RoutesFor is Routes for the token with id self: its self routes are
// included with {self} spelled out as that id (a valid token id is base62,
// so it is safe as a literal IAM resource segment).
func (c *Catalogue) RoutesFor(scopes []string, self string) []Route {
	seen := make(map[Route]bool)
	var out []Route
	add := func(ps []pattern) {
		for _, p := range ps {
			if !seen[p.route] {
				seen[p.route] = true
				out = append(out, p.route)
			}
		}
	}
	add(c.anyToken)
	for _, s := range scopes {
		if d := c.scopes[s]; d != nil {
			add(d.patterns)
		}
	}
	if self != "" {
		for _, p := range c.self {
			r := Route{Method: p.route.Method, Path: strings.ReplaceAll(p.route.Path, "{self}", self)}
			if !seen[r] {
				seen[r] = true
				out = append(out, r)
			}
		}
	}
	slices.SortFunc(out, compareRoutes)
	return out
}

func compareRoutes(a, b Route) int {
	if c := strings.Compare(a.Path, b.Path); c != 0 {
		return c
	}
	return strings.Compare(a.Method, b.Method)
}

// Scopes lists every scope name, sorted.
func (c *Catalogue) Scopes() []string { return slices.Clone(c.names) }

// Bundles returns each bundle's scopes (sorted). The map is a copy.
func (c *Catalogue) Bundles() map[string][]string {
	out := make(map[string][]string, len(c.bundles))
	for name, members := range c.bundles {
		out[name] = slices.Clone(members)
	}
	return out
}
