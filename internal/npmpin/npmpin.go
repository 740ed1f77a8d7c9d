// Package npmpin installs a pinned npm package tree for local tools and
// tests: a directory's package.json and package-lock.json (and whatever
// scripts run beside them) are written under LOCAL_DIR and `npm ci` installs
// exactly what the lock names. The development OpenID provider (internal/oidc)
// and the console's browser tests (infra/consolee2e) install this way.
package npmpin

import (
	"bytes"
	"context"
	"crypto/sha256"
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

// MinNode is the oldest Node.js major version anything here is run on.
const MinNode = 20

var (
	// ErrNodeMissing means no usable node (MinNode or newer) is on PATH.
	ErrNodeMissing = errors.New("no Node.js 20 or newer on PATH (install Node.js 20 with npm)")
	// ErrNpmMissing means a tree is not installed and npm is not on PATH.
	ErrNpmMissing = errors.New("npm is required to install it (install Node.js 20 with npm)")
)

// installStamp sits inside node_modules, which `npm ci` empties first: an
// install that failed half-way leaves no stamp behind.
const installStamp = "node_modules/.keymint-lock-sha256"

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

// Tree is one pinned install.
type Tree struct {
	// Dir is the directory under LOCAL_DIR it is installed in.
	Dir string
	// Files holds package.json, package-lock.json and any other files to
	// put beside them, at its root (no subdirectories).
	Files fs.FS
	// Package is the main dependency as name@version; Install checks that
	// npm ci left exactly that version in node_modules.
	Package string
	// Also are the tree's other direct dependencies, name@version, held
	// to the same rule.
	Also []string
}

// pins are every direct dependency, Package first.
func (t Tree) pins() []string { return append([]string{t.Package}, t.Also...) }

// Install checks Node.js and makes <localDir>/<Dir> hold Files and the
// dependencies of their lock (`npm ci`), returning that directory and the
// node to run. It does nothing when both are already there, and is safe to
// call from several processes at once: they serialise on a lock file inside
// the directory.
func (t Tree) Install(ctx context.Context, localDir string) (dir, node string, err error) {
	if node, err = CheckNode(ctx); err != nil {
		return "", "", err
	}
	files, err := t.read()
	if err != nil {
		return "", "", err
	}
	dir = filepath.Join(localDir, t.Dir)
	if current(dir, files) {
		return dir, node, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", "", fmt.Errorf("npmpin: %w", err)
	}
	unlock, err := lock(filepath.Join(dir, ".install.lock"))
	if err != nil {
		return "", "", err
	}
	defer unlock()
	// Another process may have installed it while we waited for the lock.
	if current(dir, files) {
		return dir, node, nil
	}
	for name, data := range files {
		if err := writeIfChanged(filepath.Join(dir, name), data); err != nil {
			return "", "", err
		}
	}
	if !stamped(dir, files) {
		if err := t.npmCI(ctx, dir, files); err != nil {
			return "", "", err
		}
	}
	return dir, node, nil
}

// read takes the files into memory: what is compared, written and stamped
// is one snapshot, whatever changes on disk meanwhile.
func (t Tree) read() (map[string][]byte, error) {
	entries, err := fs.ReadDir(t.Files, ".")
	if err != nil {
		return nil, fmt.Errorf("npmpin: %s: %w", t.Dir, err)
	}
	files := map[string][]byte{}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		if files[e.Name()], err = fs.ReadFile(t.Files, e.Name()); err != nil {
			return nil, fmt.Errorf("npmpin: %s: %w", t.Dir, err)
		}
	}
	for _, need := range []string{"package.json", "package-lock.json"} {
		if files[need] == nil {
			return nil, fmt.Errorf("npmpin: %s has no %s", t.Dir, need)
		}
	}
	return files, nil
}

// current reports whether dir holds exactly files and dependencies
// installed from their lock.
func current(dir string, files map[string][]byte) bool {
	if !stamped(dir, files) {
		return false
	}
	for name, want := range files {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || !bytes.Equal(got, want) {
			return false
		}
	}
	return true
}

func lockDigest(files map[string][]byte) string {
	sum := sha256.Sum256(files["package-lock.json"])
	return hex.EncodeToString(sum[:])
}

func stamped(dir string, files map[string][]byte) bool {
	b, err := os.ReadFile(filepath.Join(dir, installStamp))
	return err == nil && strings.TrimSpace(string(b)) == lockDigest(files)
}

// writeIfChanged replaces a file by rename, so a process starting beside
// the install never reads a half-written script.
func writeIfChanged(path string, data []byte) error {
	if got, err := os.ReadFile(path); err == nil && bytes.Equal(got, data) {
		return nil
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("npmpin: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("npmpin: %w", err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return fmt.Errorf("npmpin: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("npmpin: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("npmpin: %w", err)
	}
	return nil
}

func (t Tree) npmCI(ctx context.Context, dir string, files map[string][]byte) error {
	npm, err := exec.LookPath("npm")
	if err != nil {
		return fmt.Errorf("%w: %s", ErrNpmMissing, t.Package)
	}
	// --ignore-scripts: nothing in these trees needs an install script, and
	// a development tool has no business running any.
	cmd := exec.CommandContext(ctx, npm, "ci", "--omit=dev", "--ignore-scripts", "--no-audit", "--no-fund")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("npmpin: npm ci (%s) in %s: %w\n%s", t.Package, dir, err, out)
	}
	if err := t.checkInstalledVersion(dir); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, installStamp), []byte(lockDigest(files)+"\n"), 0o644)
}

// NameVersion splits name@version (a scoped @scope/name too).
func NameVersion(pkg string) (name, version string) {
	at := strings.LastIndex(pkg, "@")
	if at <= 0 {
		return pkg, ""
	}
	return pkg[:at], pkg[at+1:]
}

func (t Tree) checkInstalledVersion(dir string) error {
	for _, pin := range t.pins() {
		name, want := NameVersion(pin)
		b, err := os.ReadFile(filepath.Join(dir, "node_modules", filepath.FromSlash(name), "package.json"))
		if err != nil {
			return fmt.Errorf("npmpin: npm ci left no %s in %s: %w", name, dir, err)
		}
		var pkg struct {
			Version string `json:"version"`
		}
		if err := json.Unmarshal(b, &pkg); err != nil {
			return fmt.Errorf("npmpin: %w", err)
		}
		if pkg.Version != want {
			return fmt.Errorf("npmpin: npm ci installed %s %s, want %s", name, pkg.Version, want)
		}
	}
	return nil
}

// CheckPinned reports how the package.json and package-lock.json in files
// fail to pin exactly Package as their one dependency, for each tree's own
// test.
func (t Tree) CheckPinned() error {
	files, err := t.read()
	if err != nil {
		return err
	}
	var pkg struct {
		Dependencies map[string]string `json:"dependencies"`
	}
	if err := json.Unmarshal(files["package.json"], &pkg); err != nil {
		return fmt.Errorf("npmpin: %s/package.json: %w", t.Dir, err)
	}
	var lockFile struct {
		Packages map[string]struct {
			Version      string            `json:"version"`
			Dependencies map[string]string `json:"dependencies"`
		} `json:"packages"`
	}
	if err := json.Unmarshal(files["package-lock.json"], &lockFile); err != nil {
		return fmt.Errorf("npmpin: %s/package-lock.json: %w", t.Dir, err)
	}
	var errs []error
	if len(pkg.Dependencies) != len(t.pins()) {
		errs = append(errs, fmt.Errorf("package.json dependencies %v, want exactly %v", pkg.Dependencies, t.pins()))
	}
	for _, pin := range t.pins() {
		name, version := NameVersion(pin)
		if pkg.Dependencies[name] != version {
			errs = append(errs, fmt.Errorf("package.json depends on %s %q, want exactly %s", name, pkg.Dependencies[name], version))
		}
		if got := lockFile.Packages["node_modules/"+name].Version; got != version {
			errs = append(errs, fmt.Errorf("package-lock.json has %s %s, want %s (run npm install in the tree's directory)", name, got, version))
		}
		if got := lockFile.Packages[""].Dependencies[name]; got != version {
			errs = append(errs, fmt.Errorf("package-lock.json root depends on %s %q, want %s: the lock is stale", name, got, version))
		}
	}
	return errors.Join(errs...)
}

func lock(path string) (func(), error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("npmpin: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("npmpin: lock %s: %w", path, err)
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}
