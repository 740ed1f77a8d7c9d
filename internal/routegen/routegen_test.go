package routegen_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/keymint/keymint/internal/routegen"
	"github.com/keymint/keymint/shared/api"
)

// The files in the repository are what make generate writes from the
// table today: a route added to the table and not generated fails here.
func TestGeneratedFilesAreCurrent(t *testing.T) {
	t.Parallel()
	files, err := routegen.Generate("../..", api.Table())
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range files {
		got, err := os.ReadFile("../../" + path)
		if os.IsNotExist(err) {
			t.Errorf("%s is missing: run make generate", path)
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s is stale: run make generate (%s)", path, firstDiff(got, want))
		}
	}
}

// openapi.json names every route of the table, and only those, with the
// table's operationId, function, security and access.
func TestOpenAPIAgreesWithTable(t *testing.T) {
	t.Parallel()
	ms, err := routegen.CheckOpenAPI(api.OpenAPI(), api.Table())
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		t.Error(m.String())
	}
}

// testRoutes are two routes of one made-up function, a guarded one and a
// public one, and one of another function.
var testRoutes = []api.Route{
	{Method: "GET", Path: "/things/{id}", Function: "ThingFunction", OperationID: "getThing", Access: api.Access{Scope: "things:read", Self: true}},
	{Method: "GET", Path: "/spec", Function: "ThingFunction", OperationID: "getSpec", Access: api.Access{Public: true}},
	{Method: "POST", Path: "/things", Function: "OtherFunction", OperationID: "makeThing", Access: api.Access{AnyToken: true}},
}

func TestTemplate(t *testing.T) {
	t.Parallel()
	begin := func(fn string) string {
		return "# BEGIN routes of " + fn + ": generated from shared/api/routes.go by make generate"
	}
	end := func(fn string) string { return "# END routes of " + fn }
	wantThing := `      Events:
        ` + begin("ThingFunction") + `
        GetThing:
          Type: HttpApi
          Properties: { ApiId: !Ref KeymintApi, Method: GET, Path: "/things/{id}" }
        GetSpec:
          Type: HttpApi
          Properties: { ApiId: !Ref KeymintApi, Method: GET, Path: "/spec", Auth: { Authorizer: NONE } }
        ` + end("ThingFunction") + `
        Schedule:
          Type: Schedule
`
	wantOther := `    ` + begin("OtherFunction") + `
    MakeThing:
      Type: HttpApi
      Properties: { ApiId: !Ref KeymintApi, Method: POST, Path: "/things" }
    ` + end("OtherFunction") + `
`
	for _, tc := range []struct {
		name string
		in   string
		want string
		err  error
	}{
		{name: "fills empty regions, keeps what is outside",
			in: "      Events:\n        " + begin("ThingFunction") + "\n        " + end("ThingFunction") + "\n        Schedule:\n          Type: Schedule\n" +
				"    " + begin("OtherFunction") + "\n    " + end("OtherFunction") + "\n",
			want: wantThing + wantOther},
		{name: "replaces stale events", in: strings.Replace(wantThing, "GetSpec:", "OldSpec:", 1) + strings.Replace(wantOther, "POST", "PUT", 1),
			want: wantThing + wantOther},
		{name: "idempotent", in: wantThing + wantOther, want: wantThing + wantOther},
		{name: "a function without a region", in: wantThing, err: routegen.ErrNoMarker},
		{name: "a region never closed", in: wantThing + "    " + begin("OtherFunction") + "\n", err: routegen.ErrUnclosed},
		{name: "a region twice", in: wantThing + wantThing + wantOther, err: routegen.ErrMarkerTwice},
		{name: "a region for a function the table lacks", in: wantThing + wantOther + "    " + begin("GoneFunction") + "\n    " + end("GoneFunction") + "\n",
			err: routegen.ErrNoRoutes},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := routegen.Template([]byte(tc.in), testRoutes)
			if !errors.Is(err, tc.err) {
				t.Fatalf("error %v, want %v", err, tc.err)
			}
			if tc.err == nil && string(got) != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}

func TestDocs(t *testing.T) {
	t.Parallel()
	const (
		begin = "<!-- BEGIN routes: generated from shared/api/routes.go by make generate; edit only the last column -->"
		end   = "<!-- END routes -->"
		head  = "| route | who may call it | body → answer |\n|---|---|---|\n"
	)
	wrap := func(rows string) string { return "# API\n\n" + begin + "\n" + head + rows + end + "\n\nMore prose.\n" }
	for _, tc := range []struct {
		name string
		in   string
		want string
		err  error
	}{
		{name: "keeps each route's prose, escaped pipes included, and regenerates the rest",
			in: wrap("| `POST /things` | wrong | `{a \\| b}` → 201 |\n| `GET /spec` | x | → the document |\n| `GET /things/{id}` | x | → the thing |\n"),
			want: wrap("| `GET /things/{id}` | `things:read`, or the token itself | → the thing |\n" +
				"| `GET /spec` | anyone (no token) | → the document |\n" +
				"| `POST /things` | any valid caller | `{a \\| b}` → 201 |\n")},
		{name: "a new route asks for its prose, a removed route's row goes",
			in: wrap("| `GET /gone` | x | → gone |\n| `GET /spec` | x | → the document |\n"),
			want: wrap("| `GET /things/{id}` | `things:read`, or the token itself | (to describe) |\n" +
				"| `GET /spec` | anyone (no token) | → the document |\n" +
				"| `POST /things` | any valid caller | (to describe) |\n")},
		{name: "no markers", in: "# API\n", err: routegen.ErrNoMarker},
		{name: "unclosed", in: "# API\n" + begin + "\n", err: routegen.ErrUnclosed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := routegen.Docs([]byte(tc.in), testRoutes)
			if !errors.Is(err, tc.err) {
				t.Fatalf("error %v, want %v", err, tc.err)
			}
			if tc.err == nil && string(got) != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}

func TestCheckOpenAPI(t *testing.T) {
	t.Parallel()
	// doc is an OpenAPI paths object that agrees with testRoutes, changed
	// by edit.
	doc := func(edit func(paths map[string]map[string]map[string]any)) []byte {
		paths := map[string]map[string]map[string]any{
			"/things/{id}": {"get": {"operationId": "getThing", "summary": "prose", "security": []any{map[string]any{"bearerAuth": []string{"things:read"}}},
				"x-keymint-function": "ThingFunction", "x-keymint-scope": "things:read", "x-keymint-self": true}},
			"/spec": {"get": {"operationId": "getSpec", "security": []any{}, "x-keymint-function": "ThingFunction"}},
			"/things": {"post": {"operationId": "makeThing", "security": []any{map[string]any{"bearerAuth": []string{}}},
				"x-keymint-function": "OtherFunction", "x-keymint-any-token": true}},
		}
		edit(paths)
		raw, err := json.Marshal(map[string]any{"openapi": "3.1.0", "paths": paths})
		if err != nil {
			t.Fatal(err)
		}
		return raw
	}
	type want struct {
		key       string
		got, spec bool // whether the mismatch has a Got and a Want
	}
	for _, tc := range []struct {
		name string
		edit func(map[string]map[string]map[string]any)
		want []want
	}{
		{name: "agrees", edit: func(map[string]map[string]map[string]any) {}},
		{name: "route missing", edit: func(p map[string]map[string]map[string]any) { delete(p, "/spec") },
			want: []want{{key: "GET /spec", spec: true}}},
		{name: "operation the table lacks", edit: func(p map[string]map[string]map[string]any) {
			p["/things"]["delete"] = map[string]any{"operationId": "dropThings"}
		}, want: []want{{key: "DELETE /things", got: true}}},
		{name: "another operationId", edit: func(p map[string]map[string]map[string]any) { p["/spec"]["get"]["operationId"] = "spec" },
			want: []want{{key: "GET /spec", got: true, spec: true}}},
		{name: "another function", edit: func(p map[string]map[string]map[string]any) {
			p["/things"]["post"]["x-keymint-function"] = "ThingFunction"
		}, want: []want{{key: "POST /things", got: true, spec: true}}},
		{name: "a public route guarded", edit: func(p map[string]map[string]map[string]any) {
			p["/spec"]["get"]["security"] = []any{map[string]any{"bearerAuth": []string{}}}
		}, want: []want{{key: "GET /spec", got: true, spec: true}}},
		{name: "security left out", edit: func(p map[string]map[string]map[string]any) { delete(p["/spec"]["get"], "security") },
			want: []want{{key: "GET /spec", got: true, spec: true}}},
		{name: "another scope", edit: func(p map[string]map[string]map[string]any) {
			p["/things/{id}"]["get"]["security"] = []any{map[string]any{"bearerAuth": []string{"things:write"}}}
		}, want: []want{{key: "GET /things/{id}", got: true, spec: true}}},
		{name: "self not said", edit: func(p map[string]map[string]map[string]any) { delete(p["/things/{id}"]["get"], "x-keymint-self") },
			want: []want{{key: "GET /things/{id}", got: true, spec: true}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ms, err := routegen.CheckOpenAPI(doc(tc.edit), testRoutes)
			if err != nil {
				t.Fatal(err)
			}
			var got []want
			for _, m := range ms {
				got = append(got, want{key: m.Key, got: m.Got != nil, spec: m.Want != nil})
			}
			if len(got) != len(tc.want) {
				t.Fatalf("mismatches %+v, want %+v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("mismatch %d: %+v, want %+v", i, got[i], tc.want[i])
				}
			}
		})
	}
}
