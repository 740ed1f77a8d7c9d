package console

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/keymint/keymint/internal/npmpin"
)

// TestJavaScriptUnits runs the console's node:test suites (jstest/, kept
// out of assets/ so they are neither embedded nor served) with Node.js's
// own runner; any failing test fails this one. It never skips: without
// Node.js it fails saying what to install.
func TestJavaScriptUnits(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	node, err := npmpin.CheckNode(ctx)
	if err != nil {
		t.Fatalf("the console's unit tests run under Node.js: %v", err)
	}
	suites, err := filepath.Glob(filepath.Join("jstest", "*.test.mjs"))
	if err != nil || len(suites) == 0 {
		t.Fatalf("no jstest/*.test.mjs (%v)", err)
	}
	// The assets are ES modules in .js files with no package.json to say
	// so: older Node.js 20 releases detect that only when asked.
	args := append([]string{"--experimental-detect-module", "--test", "--test-reporter=spec"}, suites...)
	cmd := exec.CommandContext(ctx, node, args...)
	// A zone with daylight saving, not the machine's: the date tests know
	// what the viewer's zone is.
	cmd.Env = append(os.Environ(), "TZ=America/New_York", "NO_COLOR=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("node --test %v: %v\n%s", suites, err, out)
	}
	t.Logf("node --test:\n%s", out)
}

// The unit tests are not shipped: nothing under jstest is embedded.
func TestUnitTestsAreNotServed(t *testing.T) {
	t.Parallel()
	c, err := New(Settings{})
	if err != nil {
		t.Fatal(err)
	}
	suites, _ := filepath.Glob(filepath.Join("jstest", "*"))
	for _, s := range suites {
		if _, ok := c.files[filepath.Base(s)]; ok {
			t.Errorf("%s is embedded", s)
		}
	}
}
