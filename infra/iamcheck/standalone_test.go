package iamcheck_test

import (
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/keymint/keymint/infra/iamcheck"
	"github.com/keymint/keymint/internal/testkit"
	"github.com/keymint/keymint/shared/registry"
)

// TestStandaloneFunctionsCallNothing: a function built without an App
// (registry.Standalone: the example API's backend) has no policy beyond
// the logs SAM grants, and that is exactly what it calls: its bootstrap
// links no AWS SDK at all, so it has no way to call anything.
func TestStandaloneFunctionsCallNothing(t *testing.T) {
	t.Parallel()
	root, err := testkit.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	policies, err := iamcheck.Policies(filepath.Join(root, "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	dirs := map[string]string{"ExampleFunction": "./functions/example"}
	for id := range registry.Standalone() {
		t.Run(id, func(t *testing.T) {
			if got := policies[id]; len(got) != 0 {
				t.Errorf("policy %v; the function calls nothing", got)
			}
			dir, ok := dirs[id]
			if !ok {
				t.Fatalf("no main package known for %s", id)
			}
			cmd := exec.Command("go", "list", "-deps", dir)
			cmd.Dir = root
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("go list: %v\n%s", err, out)
			}
			deps := strings.Fields(string(out))
			if !slices.Contains(deps, "github.com/aws/aws-lambda-go/lambda") {
				t.Fatalf("%s does not link aws-lambda-go; the check would prove nothing", dir)
			}
			for _, d := range deps {
				if strings.HasPrefix(d, "github.com/aws/aws-sdk-go-v2") || strings.HasPrefix(d, "github.com/aws/smithy-go") {
					t.Errorf("%s links %s: it could call AWS", dir, d)
				}
			}
		})
	}
}
