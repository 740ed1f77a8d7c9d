package testkit

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/keymint/keymint/infra/oidc"
)

// OIDCLocalDir is a fresh LOCAL_DIR for the development OpenID provider
// (its own signing key) that shares the repository's install of it
// (`make deps` puts it in .local), so tests run npm at most once.
func OIDCLocalDir(t testing.TB) string {
	t.Helper()
	root, err := RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	installed, err := oidc.EnsureInstalled(context.Background(), filepath.Join(root, ".local"))
	if err != nil {
		t.Fatalf("the OpenID provider tests need Node.js %d+ and npm: %v", oidc.MinNode, err)
	}
	local := t.TempDir()
	if err := os.Symlink(installed, filepath.Join(local, "oidc-provider")); err != nil {
		t.Fatal(err)
	}
	return local
}

// StartOIDC starts the development OpenID provider (a real one:
// oidc-provider under Node.js) for one test, stopped when it ends.
func StartOIDC(t testing.TB, o oidc.Options) *oidc.Provider {
	t.Helper()
	if o.LocalDir == "" {
		o.LocalDir = OIDCLocalDir(t)
	}
	p, err := oidc.Start(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := p.Stop(); err != nil {
			t.Error(err)
		}
	})
	return p
}
