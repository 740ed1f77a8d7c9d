package routegen_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/keymint/keymint/internal/routegen"
)

func TestSampleEvent(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		route      int // in testRoutes
		file, path string
		params     map[string]string
		authorized bool
	}{
		{route: 0, file: "events/thing-get-things-id.json", path: "/things/AAAAAAAAAAAAAAAA",
			params: map[string]string{"id": "AAAAAAAAAAAAAAAA"}, authorized: true},
		{route: 1, file: "events/thing-get-spec.json", path: "/spec"},
		{route: 2, file: "events/other-post-things.json", path: "/things", authorized: true},
	} {
		r := testRoutes[tc.route]
		t.Run(r.Key(), func(t *testing.T) {
			t.Parallel()
			if got := routegen.EventFile(r); got != tc.file {
				t.Errorf("file %s, want %s", got, tc.file)
			}
			raw, err := routegen.SampleEvent(r)
			if err != nil {
				t.Fatal(err)
			}
			var ev events.APIGatewayV2HTTPRequest
			if err := json.Unmarshal(raw, &ev); err != nil {
				t.Fatal(err)
			}
			if ev.Version != "2.0" || ev.RouteKey != r.Key() || ev.RequestContext.RouteKey != r.Key() ||
				ev.RequestContext.HTTP.Method != r.Method || ev.RawPath != tc.path || ev.RequestContext.HTTP.Path != tc.path {
				t.Errorf("event %s %s, route %s %s, path %s %s", ev.Version, ev.RequestContext.HTTP.Method, ev.RouteKey, ev.RequestContext.RouteKey, ev.RawPath, ev.RequestContext.HTTP.Path)
			}
			if len(ev.PathParameters) != len(tc.params) {
				t.Errorf("path parameters %v, want %v", ev.PathParameters, tc.params)
			}
			for k, v := range tc.params {
				if ev.PathParameters[k] != v {
					t.Errorf("path parameter %s = %q, want %q", k, ev.PathParameters[k], v)
				}
			}
			if authorized := ev.RequestContext.Authorizer != nil; authorized != tc.authorized || (ev.Headers["authorization"] != "") != tc.authorized {
				t.Errorf("authorizer context %v, authorization header %q; want authorized %v", authorized, ev.Headers["authorization"], tc.authorized)
			}
		})
	}
}

// Generate writes a sample only for a route that has none: an edited
// sample is kept as people wrote it.
func TestGenerateKeepsSamples(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	write := func(path, s string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(filepath.Join(root, path)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, path), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var tmpl string
	for _, fn := range []string{"ThingFunction", "OtherFunction"} {
		tmpl += "# BEGIN routes of " + fn + ": generated from shared/api/routes.go by make generate\n# END routes of " + fn + "\n"
	}
	write(routegen.TemplatePath, tmpl)
	write(routegen.DocsPath, "<!-- BEGIN routes: generated from shared/api/routes.go by make generate; edit only the last column -->\n<!-- END routes -->\n")
	write(routegen.OpenAPIPath, `{"paths": {}}`)
	write(routegen.ScopesPath, `{"scopes": {}}`)
	write("events/thing-get-spec.json", `{"edited": true}`)
	files, err := routegen.Generate(root, testRoutes)
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{routegen.TemplatePath, routegen.DocsPath, routegen.OpenAPIPath, routegen.ScopesPath, "events/thing-get-things-id.json", "events/other-post-things.json"} {
		if _, ok := files[path]; !ok {
			t.Errorf("Generate wrote no %s", path)
		}
	}
	if b, ok := files["events/thing-get-spec.json"]; ok {
		t.Errorf("Generate rewrote an existing sample: %s", b)
	}
	if len(files) != 6 {
		t.Errorf("Generate wrote %d files, want 6", len(files))
	}
}
