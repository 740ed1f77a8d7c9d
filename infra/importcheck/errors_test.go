package importcheck

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"testing"
)

// sentinelName is an exported package-level error variable's name, ErrX.
// Unexported ones stay beside the one use they serve.
var sentinelName = regexp.MustCompile(`^Err[A-Z0-9]`)

// TestErrorsLiveInErrorsGo holds rule 5 (doc.go): in a package under
// shared/, every exported package-level error variable (ErrX) and every
// exported type with an Error() string method is declared in the
// package's errors.go, so a reader finds a layer's errors in one file.
func TestErrorsLiveInErrorsGo(t *testing.T) {
	t.Parallel()
	var files int
	for _, p := range goList[struct {
		ImportPath, Dir string
		GoFiles         []string
	}](t, "-json=ImportPath,Dir,GoFiles", "./shared/...") {
		for _, d := range misplacedErrors(t, p.Dir, p.GoFiles) {
			t.Errorf("rule 5: %s: %s is declared in %s, not errors.go", p.ImportPath, d.name, d.file)
		}
		files += len(p.GoFiles)
	}
	// Proof the walk read the product: it would pass vacuously on nothing.
	if files < 100 {
		t.Fatalf("parsed %d files under shared/: not the module", files)
	}
}

type declared struct{ name, file string }

// misplacedErrors parses a package's files and returns its error variables
// and exported error types declared outside errors.go.
func misplacedErrors(t *testing.T, dir string, names []string) []declared {
	t.Helper()
	fset := token.NewFileSet()
	typeFile := map[string]string{} // type name → file declaring it
	var errorTypes []string         // exported receivers of Error() string
	var out []declared
	for _, name := range names {
		f, err := parser.ParseFile(fset, filepath.Join(dir, name), nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range f.Decls {
			switch d := decl.(type) {
			case *ast.GenDecl:
				for _, spec := range d.Specs {
					switch s := spec.(type) {
					case *ast.ValueSpec:
						for _, id := range s.Names {
							if d.Tok == token.VAR && sentinelName.MatchString(id.Name) && name != "errors.go" {
								out = append(out, declared{id.Name, name})
							}
						}
					case *ast.TypeSpec:
						typeFile[s.Name.Name] = name
					}
				}
			case *ast.FuncDecl:
				if recv := receiverName(d); recv != "" && ast.IsExported(recv) && isErrorMethod(d) {
					errorTypes = append(errorTypes, recv)
				}
			}
		}
	}
	for _, typ := range errorTypes {
		if file := typeFile[typ]; file != "errors.go" {
			out = append(out, declared{"type " + typ, file})
		}
	}
	return out
}

// receiverName is the base type name of a method's receiver, "" for a function.
func receiverName(d *ast.FuncDecl) string {
	if d.Recv == nil || len(d.Recv.List) != 1 {
		return ""
	}
	typ := d.Recv.List[0].Type
	if star, ok := typ.(*ast.StarExpr); ok {
		typ = star.X
	}
	if id, ok := typ.(*ast.Ident); ok {
		return id.Name
	}
	return ""
}

// isErrorMethod reports d is Error() string.
func isErrorMethod(d *ast.FuncDecl) bool {
	ft := d.Type
	if d.Name.Name != "Error" || ft.Params.NumFields() != 0 || ft.Results.NumFields() != 1 {
		return false
	}
	id, ok := ft.Results.List[0].Type.(*ast.Ident)
	return ok && id.Name == "string"
}
