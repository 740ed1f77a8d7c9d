package routegen_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/keymint/keymint/internal/routegen"
	"github.com/keymint/keymint/shared/api"
)

// The repository's openapi.json, generated from the table it agrees with,
// comes back byte for byte: the generator touches nothing it need not.
func TestOpenAPIPassesThroughUnchanged(t *testing.T) {
	t.Parallel()
	doc := api.OpenAPI()
	got, err := routegen.OpenAPI(doc, api.Table())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, doc) {
		t.Errorf("openapi.json changed on the way through: %s", firstDiff(got, doc))
	}
}

// A route added to the table becomes one operation, inserted as one block
// beside its siblings, that the check accepts; taking the route out again
// gives back the document it started from.
func TestOpenAPIAddsARoute(t *testing.T) {
	t.Parallel()
	doc := api.OpenAPI()
	// A route made up for the test, which the real table will never have.
	made := api.Route{Method: "GET", Path: "/tokens/{id}/made-up", Function: api.DescribeFunction,
		OperationID: "getTokenMadeUp", Access: api.Access{Scope: "tokens:read"}}
	table := append(api.Table(), made)
	got, err := routegen.OpenAPI(doc, table)
	if err != nil {
		t.Fatal(err)
	}
	ms, err := routegen.CheckOpenAPI(got, table)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		t.Error(m.String())
	}

	var d struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(got, &d); err != nil {
		t.Fatal(err)
	}
	var op struct {
		Summary    string                       `json:"summary"`
		Tags       []string                     `json:"tags"`
		Parameters []map[string]string          `json:"parameters"`
		Responses  map[string]map[string]string `json:"responses"`
	}
	if err := json.Unmarshal(d.Paths["/tokens/{id}/made-up"]["get"], &op); err != nil {
		t.Fatal(err)
	}
	if op.Summary != "Get token made up" || !slices.Equal(op.Tags, []string{"tokens"}) {
		t.Errorf("summary %q, tags %v; want \"Get token made up\", [tokens]", op.Summary, op.Tags)
	}
	if len(op.Parameters) != 1 || op.Parameters[0]["$ref"] != "#/components/parameters/TokenId" {
		t.Errorf("parameters %v, want the TokenId reference", op.Parameters)
	}
	// The answers every other GET on one {id} has: getToken, usage, audit.
	wantResp := map[string]string{"401": "Unauthorized", "403": "Forbidden", "404": "NotFound", "500": "InternalError", "503": "Unavailable"}
	if len(op.Responses) != len(wantResp) {
		t.Errorf("responses %v, want %v", op.Responses, wantResp)
	}
	for code, name := range wantResp {
		if ref := op.Responses[code]["$ref"]; ref != "#/components/responses/"+name {
			t.Errorf("response %s is %q, want the %s reference", code, ref, name)
		}
	}

	// One contiguous block added: every line of doc is before or after it.
	g, w := strings.Split(string(got), "\n"), strings.Split(string(doc), "\n")
	if len(g) <= len(w) {
		t.Fatalf("%d lines, no more than the %d it started with", len(g), len(w))
	}
	pre, suf := 0, 0
	for pre < len(w) && g[pre] == w[pre] {
		pre++
	}
	for suf < len(w)-pre && g[len(g)-1-suf] == w[len(w)-1-suf] {
		suf++
	}
	if pre == len(w) || pre+suf != len(w) || !strings.Contains(g[pre], `"/tokens/{id}/made-up"`) {
		t.Errorf("the new operation is not one block beside the /tokens/{id} paths: %d lines kept before it, %d after, of %d (line %d: %q)",
			pre, suf, len(w), pre+1, g[pre])
	}

	back, err := routegen.OpenAPI(got, api.Table())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(back, doc) {
		t.Errorf("removing the route again does not restore the document: %s", firstDiff(back, doc))
	}
}

// The skeleton fields of an operation follow the table; its other keys,
// and their place, stay.
func TestOpenAPICorrectsSkeleton(t *testing.T) {
	t.Parallel()
	const thing = `"getThing", "summary": "prose", "security": [{"bearerAuth": ["things:read"]}], "x-keymint-scope": "things:read", "x-keymint-self": true, "x-keymint-function": "ThingFunction", "responses": {}`
	const spec = `"summary": "the spec", "security": [], "x-keymint-function": "ThingFunction"`
	const mk = `"summary": "make", "security": [{"bearerAuth": []}], "x-keymint-any-token": true, "x-keymint-function": "OtherFunction"`
	// doc is an indented document of the three test routes' operations.
	doc := func(thingOp, specOp, makeOp string, extra string) []byte {
		raw := `{"openapi": "3.1.0", "paths": {"/things/{id}": {"get": {"operationId": ` + thingOp + `}},` + extra +
			` "/spec": {"get": {"operationId": "getSpec", ` + specOp + `}}, "/things": {"post": {"operationId": "makeThing", ` + makeOp + `}}}}`
		var out bytes.Buffer
		if err := json.Indent(&out, []byte(raw), "", "  "); err != nil {
			t.Fatalf("%v in %s", err, raw)
		}
		return append(out.Bytes(), '\n')
	}
	want := doc(thing, spec, mk, "")
	for _, tc := range []struct {
		name string
		in   []byte
	}{
		{name: "agrees", in: want},
		{name: "another operationId", in: doc(strings.Replace(thing, "getThing", "fetchThing", 1), spec, mk, "")},
		{name: "another scope", in: doc(strings.ReplaceAll(thing, "things:read", "things:write"), spec, mk, "")},
		{name: "self not said, in its place again", in: doc(strings.Replace(thing, `"x-keymint-self": true, `, "", 1), spec, mk, "")},
		{name: "security left out", in: doc(thing, strings.Replace(spec, `"security": [], `, "", 1), mk, "")},
		{name: "a public route guarded", in: doc(thing, strings.Replace(spec, `[]`, `[{"bearerAuth": []}]`, 1), mk, "")},
		{name: "a scope on an any-token route", in: doc(thing, spec, strings.Replace(mk, `"x-keymint-any-token": true`, `"x-keymint-scope": "things:write"`, 1), "")},
		{name: "another function", in: doc(thing, spec, strings.Replace(mk, "OtherFunction", "ThingFunction", 1), "")},
		{name: "an operation and a path the table lacks",
			in: doc(thing, spec, mk, ` "/gone": {"delete": {"operationId": "drop", "summary": "x", "responses": {}}},`)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := routegen.OpenAPI(tc.in, testRoutes)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("got\n%s\nwant\n%s", got, want)
			}
		})
	}
}

func TestOpenAPIRefuses(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		in   string
		err  error
	}{
		{name: "no paths", in: `{"openapi": "3.1.0"}`, err: routegen.ErrNoPaths},
		{name: "paths not an object", in: `{"paths": []}`, err: routegen.ErrNoPaths},
		{name: "not JSON", in: `{"paths": {`},
		{name: "two documents", in: `{"paths": {}} {}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := routegen.OpenAPI([]byte(tc.in), testRoutes)
			if err == nil || (tc.err != nil && !errors.Is(err, tc.err)) {
				t.Errorf("error %v, want %v", err, tc.err)
			}
		})
	}
}
