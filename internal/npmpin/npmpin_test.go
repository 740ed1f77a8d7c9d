package npmpin

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestCheckNode(t *testing.T) {
	tests := []struct {
		name   string
		script string // "" means no node on PATH
		ok     bool
	}{
		{"missing", "", false},
		{"node 18", "echo v18.19.1", false},
		{"broken", "exit 1", false},
		{"garbage", "echo hello", false},
		{"node 20", "echo v20.20.2", true},
		{"node 22", "echo v22.12.0", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			bin := t.TempDir()
			if tc.script != "" {
				if err := os.WriteFile(filepath.Join(bin, "node"), []byte("#!/bin/sh\n"+tc.script+"\n"), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			t.Setenv("PATH", bin)
			_, err := CheckNode(context.Background())
			if tc.ok != (err == nil) || (err != nil && !errors.Is(err, ErrNodeMissing)) {
				t.Errorf("err = %v, want ok=%v", err, tc.ok)
			}
		})
	}
}

func TestNameVersion(t *testing.T) {
	for in, want := range map[string][2]string{
		"oidc-provider@9.13.3":  {"oidc-provider", "9.13.3"},
		"@scope/pkg@1.2.3":      {"@scope/pkg", "1.2.3"},
		"playwright-core@1.0.0": {"playwright-core", "1.0.0"},
		"bare":                  {"bare", ""},
	} {
		if n, v := NameVersion(in); n != want[0] || v != want[1] {
			t.Errorf("NameVersion(%q) = %q, %q", in, n, v)
		}
	}
}

// TestCheckPinned: a tree whose lock names another version, or whose
// package.json has a second dependency, is caught.
func TestCheckPinned(t *testing.T) {
	pkg := `{"dependencies":{"x":"1.0.0"}}`
	lock := `{"packages":{"":{"dependencies":{"x":"1.0.0"}},"node_modules/x":{"version":"1.0.0"}}}`
	pkg2 := `{"dependencies":{"x":"1.0.0","y":"2.0.0"}}`
	lock2 := `{"packages":{"":{"dependencies":{"x":"1.0.0","y":"2.0.0"}},"node_modules/x":{"version":"1.0.0"},"node_modules/y":{"version":"2.0.0"}}}`
	for name, tc := range map[string]struct {
		pkg, lock string
		also      []string
		ok        bool
	}{
		"pinned":         {pkg, lock, nil, true},
		"also pinned":    {pkg2, lock2, []string{"y@2.0.0"}, true},
		"also stale":     {pkg2, lock2, []string{"y@2.1.0"}, false},
		"also missing":   {pkg, lock, []string{"y@2.0.0"}, false},
		"stale lock":     {pkg, `{"packages":{"":{"dependencies":{"x":"0.9.0"}},"node_modules/x":{"version":"0.9.0"}}}`, nil, false},
		"two deps":       {pkg2, lock2, nil, false},
		"a range":        {`{"dependencies":{"x":"^1.0.0"}}`, lock, nil, false},
		"no lock at all": {pkg, "", nil, false},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "package.json"), []byte(tc.pkg), 0o644); err != nil {
				t.Fatal(err)
			}
			if tc.lock != "" {
				if err := os.WriteFile(filepath.Join(dir, "package-lock.json"), []byte(tc.lock), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			err := Tree{Dir: "t", Files: os.DirFS(dir), Package: "x@1.0.0", Also: tc.also}.CheckPinned()
			if tc.ok != (err == nil) {
				t.Errorf("CheckPinned: %v, want ok=%v", err, tc.ok)
			}
		})
	}
}
