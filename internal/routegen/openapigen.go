package routegen

import (
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"unicode"

	"github.com/keymint/keymint/shared/api"
)

// ErrNoPaths: the document has no paths object to write operations into.
var ErrNoPaths = errors.New("no paths object")

// httpMethods are the keys of an OpenAPI path item that hold operations
// (https://spec.openapis.org/oas/v3.1.0#path-item-object); a path item's
// other keys (parameters, summary, …) are hand-written and kept.
var httpMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// skeletonOrder is where the skeleton's fields sit among an operation's
// keys, as the document writes them; a missing field is inserted after the
// nearest key before it in this order.
var skeletonOrder = []string{"operationId", "summary", "description", "tags", "security",
	"x-keymint-scope", "x-keymint-self", "x-keymint-any-token", "x-keymint-function"}

// OpenAPI returns doc with every operation's Skeleton as routes say: an
// operation the table lacks is removed (and its path item, once empty), a
// route the document lacks gets a new operation (a summary from its
// operationId, its path parameters, and the error responses of the
// document's like operations), and the skeleton fields of every other
// operation are set. Every other byte of doc stays as written.
func OpenAPI(doc []byte, routes []api.Route) ([]byte, error) {
	root, err := parseJSON(doc)
	if err != nil {
		return nil, err
	}
	paths := root.get("paths")
	if paths == nil || paths.kind != '{' {
		return nil, ErrNoPaths
	}
	want := map[string]bool{}
	for _, r := range routes {
		want[r.Key()] = true
	}
	dropStale(paths, want)
	for _, r := range routes {
		item := paths.get(r.Path)
		if item == nil {
			item = object()
			paths.insert(pathSlot(paths.keys, r.Path), r.Path, item)
		}
		method := strings.ToLower(r.Method)
		op := item.get(method)
		if op == nil {
			op = newOperation(root, r)
			item.insert(len(item.keys), method, op)
		}
		setSkeleton(op, Skeleton(r))
	}
	return root.bytes(), nil
}

// dropStale removes the operations no route of the table names, and a path
// item left with no operation.
func dropStale(paths *node, want map[string]bool) {
	for _, path := range slices.Clone(paths.keys) {
		item := paths.get(path)
		for _, method := range httpMethods {
			if item.get(method) != nil && !want[strings.ToUpper(method)+" "+path] {
				item.remove(method)
			}
		}
		if !slices.ContainsFunc(httpMethods, func(m string) bool { return item.get(m) != nil }) {
			paths.remove(path)
		}
	}
}

// pathSlot is where a new path goes among paths: after the last path that
// shares the most leading segments with it, so /tokens/{id}/events lands
// beside the other /tokens/{id} paths; at the end if none shares one.
func pathSlot(paths []string, path string) int {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	at, best := len(paths), 0
	for i, p := range paths {
		other := strings.Split(strings.Trim(p, "/"), "/")
		n := 0
		for n < min(len(segs), len(other)) && segs[n] == other[n] {
			n++
		}
		if n > 0 && n >= best {
			at, best = i+1, n
		}
	}
	return at
}

// setSkeleton sets op's skeleton fields to skel's, leaving its other keys.
func setSkeleton(op *node, skel Operation) {
	set := func(key string, v any, present bool) {
		if !present {
			op.remove(key)
			return
		}
		val := valueNode(v)
		if i := slices.Index(op.keys, key); i >= 0 {
			op.vals[i] = val
			return
		}
		op.insert(skeletonSlot(op.keys, key), key, val)
	}
	set("operationId", skel.OperationID, true)
	set("security", skel.Security, true)
	set("x-keymint-scope", skel.Scope, skel.Scope != "")
	set("x-keymint-self", true, skel.Self)
	set("x-keymint-any-token", true, skel.AnyToken)
	set("x-keymint-function", skel.Function, true)
}

// skeletonSlot is the index for a missing skeleton key: after the last of
// keys that skeletonOrder puts before it, else first.
func skeletonSlot(keys []string, key string) int {
	for j := slices.Index(skeletonOrder, key) - 1; j >= 0; j-- {
		if i := slices.Index(keys, skeletonOrder[j]); i >= 0 {
			return i + 1
		}
	}
	return 0
}

// newOperation is the operation a new route starts with; its description,
// bodies and success answers are left to be written by hand.
func newOperation(root *node, r api.Route) *node {
	op := object(member{"operationId", valueNode(r.OperationID)}, member{"summary", valueNode(summaryOf(r.OperationID))})
	// The tag named by the path's first segment, when the document has one.
	first, _, _ := strings.Cut(strings.TrimPrefix(r.Path, "/"), "/")
	if tags := root.get("tags"); tags != nil && slices.ContainsFunc(tags.vals, func(t *node) bool { return t.get("name").str() == first }) {
		op.insert(len(op.keys), "tags", valueNode([]string{first}))
	}
	if params := pathParameters(root, r.Path); len(params.vals) > 0 {
		op.insert(len(op.keys), "parameters", params)
	}
	op.insert(len(op.keys), "responses", errorResponses(root, r))
	return op
}

// summaryOf is an operationId in words: getTokenEvents → "Get token events".
func summaryOf(id string) string {
	var b strings.Builder
	for i, c := range id {
		switch {
		case i == 0:
			c = unicode.ToUpper(c)
		case unicode.IsUpper(c):
			b.WriteByte(' ')
			c = unicode.ToLower(c)
		}
		b.WriteRune(c)
	}
	return b.String()
}

var pathParam = regexp.MustCompile(`\{([^}]+)\}`)

// pathParameters is the parameters array of path: a reference to the
// document's components/parameters entry for each {name} in it, or, when it
// has none, the parameter itself as a required string.
func pathParameters(root *node, path string) *node {
	defs := root.get("components").get("parameters")
	params := &node{kind: '['}
	for _, m := range pathParam.FindAllStringSubmatch(path, -1) {
		name := m[1]
		var p *node
		if defs != nil {
			for i, def := range defs.vals {
				if def.get("in").str() == "path" && def.get("name").str() == name {
					p = object(member{"$ref", valueNode("#/components/parameters/" + defs.keys[i])})
					break
				}
			}
		}
		if p == nil {
			p = valueNode(map[string]any{"name": name, "in": "path", "required": true, "schema": map[string]string{"type": "string"}})
		}
		params.vals = append(params.vals, p)
	}
	return params
}

// errorResponses is the responses object of a new operation: the
// referenced (components/responses) answers that every like operation of
// the document shares, by status, like meaning the same method, path
// parameters and publicness, else the same publicness alone.
func errorResponses(root *node, r api.Route) *node {
	params := fmt.Sprint(pathParam.FindAllString(r.Path, -1))
	exact := func(method, path string, public bool) bool {
		return method == strings.ToLower(r.Method) && fmt.Sprint(pathParam.FindAllString(path, -1)) == params && public == r.Access.Public
	}
	loose := func(_, _ string, public bool) bool { return public == r.Access.Public }
	for _, like := range []func(method, path string, public bool) bool{exact, loose} {
		if shared := sharedRefs(root.get("paths"), like); len(shared) > 0 {
			out := object()
			for _, code := range slices.Sorted(maps.Keys(shared)) {
				out.insert(len(out.keys), code, object(member{"$ref", valueNode(shared[code])}))
			}
			return out
		}
	}
	return valueNode(map[string]any{"default": map[string]string{"description": "(to describe)"}})
}

// sharedRefs is, by status, the responses $ref every operation that like
// accepts has, the same in all of them.
func sharedRefs(paths *node, like func(method, path string, public bool) bool) map[string]string {
	var shared map[string]string
	for i, path := range paths.keys {
		for _, method := range httpMethods {
			op := paths.vals[i].get(method)
			if op == nil || !like(method, path, isPublic(op)) {
				continue
			}
			refs := map[string]string{}
			resp := op.get("responses")
			for j, code := range resp.keysOrNone() {
				if ref := resp.vals[j].get("$ref").str(); ref != "" {
					refs[code] = ref
				}
			}
			if shared == nil {
				shared = refs
				continue
			}
			maps.DeleteFunc(shared, func(code, ref string) bool { return refs[code] != ref })
		}
	}
	return shared
}

// isPublic: the operation's security is empty, so no token is asked.
func isPublic(op *node) bool {
	s := op.get("security")
	return s != nil && s.kind == '[' && len(s.vals) == 0
}

// keysOrNone is an object's keys; nil for anything else.
func (n *node) keysOrNone() []string {
	if n == nil || n.kind != '{' {
		return nil
	}
	return n.keys
}
