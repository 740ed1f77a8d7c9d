package oidc

import (
	"bytes"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
)

// Package is the pinned npm package the provider runs on; provider/package.json
// and its lock name the same version.
const Package = "oidc-provider@9.13.3"

// MinNode is the oldest Node.js major version the provider is run on.
const MinNode = 20

var (
	// ErrNodeMissing means no usable node (MinNode or newer) is on PATH.
	ErrNodeMissing = errors.New("oidc: Node.js 20 or newer is required to run the local OpenID Connect provider (install Node.js 20 with npm)")
	// ErrNpmMissing means the provider is not installed and npm is not on PATH.
	ErrNpmMissing = errors.New("oidc: npm is required to install the local OpenID Connect provider (install Node.js 20 with npm)")
)

// The server and the exact dependency tree travel inside the Go binary, so
// the provider installed under any LOCAL_DIR is the one this code expects.
//
//go:embed provider/package.json provider/package-lock.json provider/server.mjs
var providerFiles embed.FS

const (
	installDirName = "oidc-provider"
	serverFile     = "server.mjs"
	// installStamp sits inside node_modules, which `npm ci` empties first:
	// an install that failed half-way leaves no stamp behind.
	installStamp = "node_modules/.keymint-lock-sha256"
)

var nodeVersion = regexp.MustCompile(`^v?(\d+)\.`)

// CheckNode reports ErrNodeMissing unless `node` is MinNode or newer, and
// returns its path.
func CheckNode(ctx context.Context) (string, error) {
	path, err := exec.LookPath("node")
	if err != nil {
		return "", ErrNodeMissing
	}
	out, err := exec.CommandContext(ctx, path, "--version").Output()
	if err != nil {
		return "", fmt.Errorf("%w: `node --version` failed: %v", ErrNodeMissing, err)
	}
	major, ok := parseNodeMajor(string(out))
	if !ok {
		return "", fmt.Errorf("%w: cannot read the version from %q", ErrNodeMissing, strings.TrimSpace(string(out)))
	}
	if major < MinNode {
		return "", fmt.Errorf("%w: found Node.js %d", ErrNodeMissing, major)
	}
	return path, nil
}

func parseNodeMajor(out string) (int, bool) {
	m := nodeVersion.FindStringSubmatch(strings.TrimSpace(out))
	if m == nil {
		return 0, false
	}
	major, err := strconv.Atoi(m[1])
	return major, err == nil
}

// EnsureInstalled checks Node.js and makes <localDir>/oidc-provider hold the
// provider and its pinned dependencies (`npm ci` from the embedded lock),
// returning that directory. It does nothing when they are already there,
// and is safe to call from several processes at once: they serialise on a
// lock file inside the directory.
func EnsureInstalled(ctx context.Context, localDir string) (string, error) {
	dir, _, err := ensureInstalled(ctx, localDir)
	return dir, err
}

// ensureInstalled is EnsureInstalled that also returns the node to run.
func ensureInstalled(ctx context.Context, localDir string) (dir, node string, err error) {
	if node, err = CheckNode(ctx); err != nil {
		return "", "", err
	}
	dir, err = install(ctx, localDir)
	return dir, node, err
}

func install(ctx context.Context, localDir string) (string, error) {
	dir := filepath.Join(localDir, installDirName)
	if current(dir) {
		return dir, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("oidc: %w", err)
	}
	unlock, err := lock(filepath.Join(dir, ".install.lock"))
	if err != nil {
		return "", err
	}
	defer unlock()
	// Another process may have installed it while we waited for the lock.
	if current(dir) {
		return dir, nil
	}
	if err := writeProviderFiles(dir); err != nil {
		return "", err
	}
	if !stamped(dir) {
		if err := npmCI(ctx, dir); err != nil {
			return "", err
		}
	}
	return dir, nil
}

// current reports whether dir holds exactly the embedded files and
// dependencies installed from the embedded lock.
func current(dir string) bool {
	if !stamped(dir) {
		return false
	}
	for _, name := range embeddedNames() {
		want, _ := providerFiles.ReadFile("provider/" + name)
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || !bytes.Equal(got, want) {
			return false
		}
	}
	return true
}

func embeddedNames() []string { return []string{"package.json", "package-lock.json", serverFile} }

func lockDigest() string {
	b, _ := providerFiles.ReadFile("provider/package-lock.json")
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func stamped(dir string) bool {
	b, err := os.ReadFile(filepath.Join(dir, installStamp))
	return err == nil && strings.TrimSpace(string(b)) == lockDigest()
}

// writeProviderFiles replaces each file by rename, so a provider starting
// beside the install never reads a half-written server.
func writeProviderFiles(dir string) error {
	for _, name := range embeddedNames() {
		want, err := providerFiles.ReadFile("provider/" + name)
		if err != nil {
			return fmt.Errorf("oidc: %w", err)
		}
		path := filepath.Join(dir, name)
		if got, err := os.ReadFile(path); err == nil && bytes.Equal(got, want) {
			continue
		}
		if err := writeAtomic(path, want, 0o644); err != nil {
			return err
		}
	}
	return nil
}

func writeAtomic(path string, data []byte, perm fs.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("oidc: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("oidc: %w", err)
	}
	if err := tmp.Chmod(perm); err != nil {
		tmp.Close()
		return fmt.Errorf("oidc: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("oidc: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("oidc: %w", err)
	}
	return nil
}

func npmCI(ctx context.Context, dir string) error {
	npm, err := exec.LookPath("npm")
	if err != nil {
		return ErrNpmMissing
	}
	// --ignore-scripts: nothing in the tree needs an install script, and a
	// development tool has no business running any.
	cmd := exec.CommandContext(ctx, npm, "ci", "--omit=dev", "--ignore-scripts", "--no-audit", "--no-fund")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("oidc: npm ci (%s) in %s: %w\n%s", Package, dir, err, out)
	}
	if err := checkInstalledVersion(dir); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, installStamp), []byte(lockDigest()+"\n"), 0o644)
}

func checkInstalledVersion(dir string) error {
	b, err := os.ReadFile(filepath.Join(dir, "node_modules", "oidc-provider", "package.json"))
	if err != nil {
		return fmt.Errorf("oidc: npm ci left no oidc-provider in %s: %w", dir, err)
	}
	var pkg struct {
		Version string `json:"version"`
	}
	if err := json.Unmarshal(b, &pkg); err != nil {
		return fmt.Errorf("oidc: %w", err)
	}
	if want := strings.TrimPrefix(Package, "oidc-provider@"); pkg.Version != want {
		return fmt.Errorf("oidc: npm ci installed oidc-provider %s, want %s", pkg.Version, want)
	}
	return nil
}

func lock(path string) (func(), error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("oidc: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("oidc: lock %s: %w", path, err)
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}
