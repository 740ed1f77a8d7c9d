package oidc_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/keymint/keymint/internal/npmpin"
	"github.com/keymint/keymint/internal/oidc"
)

// TestPinnedVersion: the package, its lock and Package name one version.
func TestPinnedVersion(t *testing.T) {
	if err := (npmpin.Tree{Dir: "provider", Files: os.DirFS("provider"), Package: oidc.Package}).CheckPinned(); err != nil {
		t.Error(err)
	}
}

func readJSON(t *testing.T, path string, into any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, into); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// TestEnsureInstalledConcurrently installs into a fresh directory from two
// goroutines at once (the lock is per open file, as between processes),
// then once more, which must do nothing.
func TestEnsureInstalledConcurrently(t *testing.T) {
	local := t.TempDir()
	var wg sync.WaitGroup
	dirs, errs := make([]string, 2), make([]error, 2)
	for i := range 2 {
		wg.Go(func() { dirs[i], errs[i] = oidc.EnsureInstalled(context.Background(), local) })
	}
	wg.Wait()
	for i := range 2 {
		if errs[i] != nil {
			t.Fatalf("the OIDC provider tests need Node.js %d+ and npm: %v", oidc.MinNode, errs[i])
		}
	}
	want := filepath.Join(local, "oidc-provider")
	if dirs[0] != want || dirs[1] != want {
		t.Fatalf("dirs %v, want %s", dirs, want)
	}
	var pkg struct {
		Version string `json:"version"`
	}
	readJSON(t, filepath.Join(want, "node_modules", "oidc-provider", "package.json"), &pkg)
	if "oidc-provider@"+pkg.Version != oidc.Package {
		t.Errorf("installed oidc-provider %s, want %s", pkg.Version, oidc.Package)
	}
	stamp := filepath.Join(want, "node_modules", "oidc-provider", "package.json")
	before, err := os.Stat(stamp)
	if err != nil {
		t.Fatal(err)
	}
	began := time.Now()
	if _, err := oidc.EnsureInstalled(context.Background(), local); err != nil {
		t.Fatal(err)
	}
	after, err := os.Stat(stamp)
	if err != nil || !after.ModTime().Equal(before.ModTime()) {
		t.Errorf("a second EnsureInstalled reinstalled (%v)", err)
	}
	if d := time.Since(began); d > 5*time.Second {
		t.Errorf("a second EnsureInstalled took %s", d)
	}
}

func TestSigningKeyMadeOnce(t *testing.T) {
	local := t.TempDir()
	var wg sync.WaitGroup
	kids, errs := make([]string, 4), make([]error, 4)
	for i := range 4 {
		wg.Go(func() { _, kids[i], errs[i] = oidc.SigningKey(local) })
	}
	wg.Wait()
	for i := range 4 {
		if errs[i] != nil || kids[i] != kids[0] || kids[i] == "" {
			t.Fatalf("SigningKey from 4 goroutines: kids %v, errs %v", kids, errs)
		}
	}
	fi, err := os.Stat(oidc.JWKSFile(local))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("jwks.json: %v, %v; want mode 0600", fi, err)
	}
	if err := os.Chmod(oidc.JWKSFile(local), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, kid, err := oidc.SigningKey(local); err != nil || kid != kids[0] {
		t.Fatalf("SigningKey again: %s, %v", kid, err)
	}
	if fi, _ := os.Stat(oidc.JWKSFile(local)); fi.Mode().Perm() != 0o600 {
		t.Errorf("a readable key file was left %v", fi.Mode().Perm())
	}
}
