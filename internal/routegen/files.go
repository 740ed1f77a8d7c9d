package routegen

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"

	"github.com/keymint/keymint/shared/api"
)

// The files routegen writes, by path from the repository root.
const (
	TemplatePath = "template.yaml"
	DocsPath     = "docs/api.md"
	OpenAPIPath  = "shared/api/openapi.json"
)

// Generate reads the generated files under root and returns each, by path,
// as routes make it, with a sample event for each route that has none.
func Generate(root string, routes []api.Route) (map[string][]byte, error) {
	gen := map[string]func([]byte, []api.Route) ([]byte, error){TemplatePath: Template, DocsPath: Docs, OpenAPIPath: OpenAPI, ScopesPath: Scopes}
	out := map[string][]byte{}
	for path, f := range gen {
		src, err := os.ReadFile(filepath.Join(root, path))
		if err != nil {
			return nil, err
		}
		if out[path], err = f(src, routes); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	events, err := missingEvents(root, routes)
	if err != nil {
		return nil, err
	}
	maps.Copy(out, events)
	return out, nil
}
