// Command routegen is make generate: it rewrites the route events of
// template.yaml and the route table of docs/api.md from shared/api's route
// table, then checks openapi.json against it (see internal/routegen). Run it
// from the repository root.
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
		return fmt.Errorf("%s disagrees with the route table in %d places (its prose is hand-written: edit it)", routegen.OpenAPIPath, len(problems))
	}
	return nil
}
