package oidc

import (
	"context"
	"embed"
	"fmt"
	"io/fs"

	"github.com/keymint/keymint/internal/npmpin"
)

// Package is the pinned npm package the provider runs on; provider/package.json
// and its lock name the same version.
const Package = "oidc-provider@9.13.3"

// MinNode is the oldest Node.js major version the provider is run on.
const MinNode = npmpin.MinNode

var (
	// ErrNodeMissing means no usable node (MinNode or newer) is on PATH.
	ErrNodeMissing = npmpin.ErrNodeMissing
	// ErrNpmMissing means the provider is not installed and npm is not on PATH.
	ErrNpmMissing = npmpin.ErrNpmMissing
)

// The server and the exact dependency tree travel inside the Go binary, so
// the provider installed under any LOCAL_DIR is the one this code expects.
//
//go:embed provider/package.json provider/package-lock.json provider/server.mjs
var providerFiles embed.FS

const serverFile = "server.mjs"

// tree is the provider's install under <localDir>/oidc-provider.
func tree() npmpin.Tree {
	files, _ := fs.Sub(providerFiles, "provider") // "provider" is embedded: no error
	return npmpin.Tree{Dir: "oidc-provider", Files: files, Package: Package}
}

// EnsureInstalled checks Node.js and makes <localDir>/oidc-provider hold the
// provider and its pinned dependencies (`npm ci` from the embedded lock),
// returning that directory. It does nothing when they are already there,
// and is safe to call from several processes at once.
func EnsureInstalled(ctx context.Context, localDir string) (string, error) {
	dir, _, err := ensureInstalled(ctx, localDir)
	return dir, err
}

// ensureInstalled is EnsureInstalled that also returns the node to run.
func ensureInstalled(ctx context.Context, localDir string) (dir, node string, err error) {
	dir, node, err = tree().Install(ctx, localDir)
	if err != nil {
		return "", "", fmt.Errorf("oidc: the local OpenID Connect provider (%s): %w", Package, err)
	}
	return dir, node, nil
}
