package jslint

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/keymint/keymint/internal/testkit"
)

// TestPinnedVersions: package.json, its lock and the constants name the
// same versions, and nothing else.
func TestPinnedVersions(t *testing.T) {
	if err := Tree().CheckPinned(); err != nil {
		t.Error(err)
	}
}

// The gate can fail: planted faults of the kinds the config is for are
// each reported, by rule, and a clean module passes.
func TestESLintFindsPlantedFaults(t *testing.T) {
	repo, err := testkit.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	localDir := filepath.Join(repo, ".local")
	for _, tc := range []struct {
		name, source string
		rules        []string // reported; none: clean
	}{
		{name: "clean", source: "import { h } from './dom.js';\nexport const x = (a) => h('p', {}, a === 1 ? 'one' : 'more');\n"},
		{name: "faults", source: "import { h } from './dom.js';\nexport const x = y == 1;\ndocument.body.innerHTML = String(Math.random());\n",
			rules: []string{"no-unused-vars", "no-undef", "eqeqeq", "no-restricted-properties"}},
		{name: "var and let", source: "var a = 1;\nlet b = 2;\nexport const c = a + b;\n", rules: []string{"no-var", "prefer-const"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tree := t.TempDir()
			assets := filepath.Join(tree, "shared", "console", "assets")
			if err := os.MkdirAll(assets, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(assets, "probe.js"), []byte(tc.source), 0o644); err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			err := Run(context.Background(), tree, localDir, &out)
			if len(tc.rules) == 0 {
				if err != nil {
					t.Fatalf("clean module: %v\n%s", err, out.String())
				}
				return
			}
			if !errors.Is(err, ErrFindings) {
				t.Fatalf("err %v, want ErrFindings\n%s", err, out.String())
			}
			for _, rule := range tc.rules {
				if !strings.Contains(out.String(), rule) {
					t.Errorf("%s not reported:\n%s", rule, out.String())
				}
			}
		})
	}
}
