package routegen

import (
	"bytes"
	"errors"

	"github.com/keymint/keymint/shared/api"
)

// ScopesPath is the shipped scope catalogue: customer-facing, hand-edited
// for the API's own scopes, but its management entries restate the route
// table, so they are written from it.
const ScopesPath = "shared/policy/scopes.json"

// ErrNoScopes: the catalogue has no scopes object to write routes into.
var ErrNoScopes = errors.New("no scopes object")

// Scopes returns the catalogue doc with its management entries as routes
// say: each management scope's "routes" (the table's routes it opens, in
// table order, parameters as *), "anyToken" and "self" (parameters as
// {self}). A management scope the catalogue lacks gets an entry with an
// empty description, which the catalogue's own checks refuse until one is
// written. Every other entry (the API's scopes, bundles, descriptions)
// stays as written.
func Scopes(doc []byte, routes []api.Route) ([]byte, error) {
	root, err := parseJSON(doc)
	if err != nil {
		return nil, err
	}
	scopes := root.get("scopes")
	if scopes == nil || scopes.kind != '{' {
		return nil, ErrNoScopes
	}
	byScope := map[string][]string{}
	var order []string
	anyToken, self := []string{}, []string{}
	for _, r := range routes {
		switch {
		case r.Access.Public:
		case r.Access.AnyToken:
			anyToken = append(anyToken, r.Method+" "+r.Path)
		default:
			if _, ok := byScope[r.Access.Scope]; !ok {
				order = append(order, r.Access.Scope)
			}
			byScope[r.Access.Scope] = append(byScope[r.Access.Scope], r.Method+" "+pathParam.ReplaceAllString(r.Path, "*"))
		}
		if r.Access.Self {
			self = append(self, r.Method+" "+pathParam.ReplaceAllString(r.Path, "{self}"))
		}
	}
	for _, name := range order {
		entry := scopes.get(name)
		if entry == nil {
			entry = object(member{"description", valueNode("")})
			scopes.insert(len(scopes.keys), name, entry)
		}
		setMember(entry, "routes", valueNode(byScope[name]))
	}
	setMember(root, "anyToken", valueNode(anyToken))
	setMember(root, "self", valueNode(self))
	var w bytes.Buffer
	root.encodeCatalogue(&w, "", 0)
	w.WriteByte('\n')
	return w.Bytes(), nil
}

// setMember sets an object's member key, appending it if missing.
func setMember(n *node, key string, v *node) {
	for i, k := range n.keys {
		if k == key {
			n.vals[i] = v
			return
		}
	}
	n.insert(len(n.keys), key, v)
}

// catalogueWidth is the longest line the catalogue writes an array of
// strings on; longer arrays get a line per item.
const catalogueWidth = 120

// encodeCatalogue writes n as scopes.json is written: as encode does, but
// an array of scalars on one line ("[a, b]") when that line (from
// column, where the value starts) fits in catalogueWidth.
func (n *node) encodeCatalogue(w *bytes.Buffer, indent string, column int) {
	if n.kind == '[' && len(n.vals) > 0 && scalars(n.vals) {
		var line bytes.Buffer
		line.WriteByte('[')
		for i, v := range n.vals {
			if i > 0 {
				line.WriteString(", ")
			}
			writeScalar(&line, v.scalar)
		}
		line.WriteByte(']')
		if column+line.Len()+1 <= catalogueWidth { // +1: a following comma
			w.Write(line.Bytes())
			return
		}
	}
	if n.kind == 0 || len(n.vals) == 0 {
		n.encode(w, indent)
		return
	}
	closing := byte('}')
	if n.kind == '[' {
		closing = ']'
	}
	w.WriteByte(byte(n.kind))
	inner := indent + "  "
	for i, v := range n.vals {
		if i > 0 {
			w.WriteByte(',')
		}
		w.WriteString("\n" + inner)
		col := len(inner)
		if n.kind == '{' {
			before := w.Len()
			writeScalar(w, n.keys[i])
			w.WriteString(": ")
			col += w.Len() - before
		}
		v.encodeCatalogue(w, inner, col)
	}
	w.WriteString("\n" + indent)
	w.WriteByte(closing)
}

func scalars(ns []*node) bool {
	for _, n := range ns {
		if n.kind != 0 {
			return false
		}
	}
	return true
}
