// Command routegen is make generate: it rewrites the route events of
// template.yaml, the route table of docs/api.md and the operations'
// skeletons in openapi.json from shared/api's route table, writes missing
// sample events, then checks openapi.json against the table once more (see
// internal/routegen). Run it from the repository root.
package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"

	"github.com/keymint/keymint/internal/routegen"
	"github.com/keymint/keymint/shared/api"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "routegen:", err)
		os.Exit(1)
	}
}

func run() error {
	routes := api.Table()
	files, err := routegen.Generate(".", routes)
	if err != nil {
		return err
	}
	for path, b := range files {
		old, err := os.ReadFile(filepath.Clean(path))
		if err != nil && !os.IsNotExist(err) {
			return err
		}
		if err == nil && bytes.Equal(old, b) {
			continue
		}
		if err := os.WriteFile(path, b, 0o644); err != nil {
			return err
		}
		fmt.Println("routegen: wrote", path)
	}
	doc, err := os.ReadFile(routegen.OpenAPIPath)
	if err != nil {
		return err
	}
	problems, err := routegen.CheckOpenAPI(doc, routes)
	if err != nil {
		return err
	}
	for _, p := range problems {
		fmt.Fprintln(os.Stderr, routegen.OpenAPIPath+":", p.String())
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s still disagrees with the route table in %d places after generating", routegen.OpenAPIPath, len(problems))
	}
	return nil
}
