package importcheck

import (
	"strings"
	"testing"
)

// TestTreeLayout holds rule 4 (doc.go): nothing imports a package under
// infra/. infra/ holds what is run — commands (infra/cmd/*), suites,
// benchmarks, scripts — and a library two of them share lives in internal/.
// Tests count: a suite's tests importing another suite would make it a
// library.
func TestTreeLayout(t *testing.T) {
	t.Parallel()
	var seenInfra, seenInternal int
	for _, p := range goList[struct {
		ImportPath                         string
		Imports, TestImports, XTestImports []string
	}](t, "-json=ImportPath,Imports,TestImports,XTestImports", "./...") {
		switch {
		case strings.HasPrefix(p.ImportPath, mod+"infra/"):
			seenInfra++
		case strings.HasPrefix(p.ImportPath, mod+"internal/"):
			seenInternal++
		}
		for _, list := range [][]string{p.Imports, p.TestImports, p.XTestImports} {
			for _, d := range list {
				// A package's external test package imports the package itself.
				if strings.HasPrefix(d, mod+"infra/") && d != p.ImportPath {
					t.Errorf("rule 4: %s imports %s: a package others import belongs in internal/", p.ImportPath, d)
				}
			}
		}
	}
	// Proof the listing is the module's: it would pass vacuously on none.
	if seenInfra < 5 || seenInternal < 5 {
		t.Fatalf("listed %d infra/ and %d internal/ packages: not the module", seenInfra, seenInternal)
	}
}
