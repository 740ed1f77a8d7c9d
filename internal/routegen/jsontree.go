package routegen

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
)

// node is one JSON value that keeps its object members in the order they
// were read. openapi.json is written as encoding/json writes with two-space
// indentation and HTML escaping off, so a document read into nodes and
// encoded again is the same bytes, and an edit through nodes changes only
// the members it touches (TestOpenAPIPassesThroughUnchanged holds this).
type node struct {
	kind   json.Delim // '{' or '[', 0 for a scalar
	scalar any        // string, json.Number, bool or nil
	keys   []string   // an object's member names, in order
	vals   []*node    // an object's member values, or an array's items
}

// parseJSON reads one JSON document into nodes.
func parseJSON(b []byte) (*node, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber() // numbers keep their text
	n, err := readNode(d)
	if err != nil {
		return nil, err
	}
	if _, err := d.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("data after the top-level value")
	}
	return n, nil
}

func readNode(d *json.Decoder) (*node, error) {
	tok, err := d.Token()
	if err != nil {
		return nil, err
	}
	delim, ok := tok.(json.Delim)
	if !ok {
		return &node{scalar: tok}, nil
	}
	n := &node{kind: delim}
	for d.More() {
		if delim == '{' {
			key, err := d.Token()
			if err != nil {
				return nil, err
			}
			n.keys = append(n.keys, key.(string))
		}
		v, err := readNode(d)
		if err != nil {
			return nil, err
		}
		n.vals = append(n.vals, v)
	}
	_, err = d.Token() // the closing delimiter
	return n, err
}

// valueNode is v as encoding/json marshals it, read into nodes.
func valueNode(v any) *node {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("routegen: marshal %T: %v", v, err)) // only fixed Go types are marshalled
	}
	n, err := parseJSON(b)
	if err != nil {
		panic(fmt.Sprintf("routegen: reread %s: %v", b, err))
	}
	return n
}

// object is an object node with the given members.
func object(members ...member) *node {
	n := &node{kind: '{'}
	for _, m := range members {
		n.keys = append(n.keys, m.key)
		n.vals = append(n.vals, m.val)
	}
	return n
}

type member struct {
	key string
	val *node
}

// get is the value of an object's member key, nil if none.
func (n *node) get(key string) *node {
	if n == nil || n.kind != '{' {
		return nil
	}
	if i := slices.Index(n.keys, key); i >= 0 {
		return n.vals[i]
	}
	return nil
}

// str is a string scalar's value, "" for anything else.
func (n *node) str() string {
	if n == nil {
		return ""
	}
	s, _ := n.scalar.(string)
	return s
}

// insert adds member key at index i.
func (n *node) insert(i int, key string, v *node) {
	n.keys = slices.Insert(n.keys, i, key)
	n.vals = slices.Insert(n.vals, i, v)
}

// remove drops member key, if there is one.
func (n *node) remove(key string) {
	if i := slices.Index(n.keys, key); i >= 0 {
		n.keys = slices.Delete(n.keys, i, i+1)
		n.vals = slices.Delete(n.vals, i, i+1)
	}
}

// encode writes n as the document is written: two-space indentation, a
// space after each colon, empty objects and arrays as {} and [], strings
// escaped as encoding/json escapes them with HTML escaping off.
func (n *node) encode(w *bytes.Buffer, indent string) {
	if n.kind == 0 {
		writeScalar(w, n.scalar)
		return
	}
	closing := byte('}')
	if n.kind == '[' {
		closing = ']'
	}
	w.WriteByte(byte(n.kind))
	if len(n.vals) == 0 {
		w.WriteByte(closing)
		return
	}
	inner := indent + "  "
	for i, v := range n.vals {
		if i > 0 {
			w.WriteByte(',')
		}
		w.WriteString("\n" + inner)
		if n.kind == '{' {
			writeScalar(w, n.keys[i])
			w.WriteString(": ")
		}
		v.encode(w, inner)
	}
	w.WriteString("\n" + indent)
	w.WriteByte(closing)
}

func writeScalar(w *bytes.Buffer, v any) {
	if num, ok := v.(json.Number); ok {
		w.WriteString(num.String())
		return
	}
	e := json.NewEncoder(w)
	e.SetEscapeHTML(false)
	if err := e.Encode(v); err != nil {
		panic(fmt.Sprintf("routegen: encode %T: %v", v, err)) // only decoded scalars get here
	}
	w.Truncate(w.Len() - 1) // Encode's newline
}

// bytes is the document n, with a final newline.
func (n *node) bytes() []byte {
	var w bytes.Buffer
	n.encode(&w, "")
	w.WriteByte('\n')
	return w.Bytes()
}
