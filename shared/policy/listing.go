package policy

import "slices"

// ScopeInfo is one scope as the catalogue lists it to callers (GET /scopes).
type ScopeInfo struct {
	Name        string
	Description string
	Implies     []string // every scope it implies, transitively, sorted
	Routes      []Route  // the routes it opens, implied scopes' included, sorted
}

// Listing is the whole catalogue as callers may read it.
type Listing struct {
	Scopes   []ScopeInfo
	Bundles  map[string][]string
	AnyToken []Route // open to every valid caller
	Self     []Route // open to a token on itself ({self} is its id)
}

// List describes the catalogue for callers choosing scopes: what each scope
// opens, and which bundles name which scopes.
func (c *Catalogue) List() Listing {
	l := Listing{Bundles: c.Bundles(), AnyToken: routesOf(c.anyToken), Self: routesOf(c.self)}
	for _, name := range c.names {
		d := c.scopes[name]
		l.Scopes = append(l.Scopes, ScopeInfo{
			Name: name, Description: d.description,
			Implies: slices.DeleteFunc(slices.Clone(d.effective), func(s string) bool { return s == name }),
			Routes:  routesOf(d.patterns),
		})
	}
	return l
}

func routesOf(ps []pattern) []Route {
	out := make([]Route, 0, len(ps))
	for _, p := range ps {
		out = append(out, p.route)
	}
	slices.SortFunc(out, compareRoutes)
	return slices.Compact(out)
}
