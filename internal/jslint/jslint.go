package jslint

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/keymint/keymint/internal/npmpin"
)

// ESLint is the pinned linter; package.json and its lock name the same
// versions as these.
const ESLint = "eslint@9.39.5"

// plugins are the config's own imports: the recommended rules and the
// browser and Node.js globals.
var plugins = []string{"@eslint/js@9.39.5", "globals@16.5.0"}

// The config is installed beside ESLint, so its imports resolve there.
//
//go:embed package.json package-lock.json eslint.config.mjs
var files embed.FS

// Tree is the install under <LOCAL_DIR>/jslint.
func Tree() npmpin.Tree {
	return npmpin.Tree{Dir: "jslint", Files: files, Package: ESLint, Also: plugins}
}

// Paths are what is linted, from the repository root; the config says
// which globals each may use.
var Paths = []string{"shared/console/assets", "shared/console/jstest", "infra/consolee2e", "internal/jslint"}

// ErrFindings means ESLint found something (its report went to out).
var ErrFindings = errors.New("eslint found problems")

// Run installs ESLint when missing and lints the Paths under repo that
// exist, writing ESLint's report to out. Any finding, a warning too, is
// ErrFindings.
func Run(ctx context.Context, repo, localDir string, out io.Writer) error {
	dir, node, err := Tree().Install(ctx, localDir)
	if err != nil {
		return fmt.Errorf("jslint: installing %s: %w", ESLint, err)
	}
	args := []string{filepath.Join(dir, "node_modules", "eslint", "bin", "eslint.js"),
		// Patterns in a config given with --config are relative to the
		// working directory: the repository root.
		"--config", filepath.Join(dir, "eslint.config.mjs"), "--max-warnings", "0", "--no-error-on-unmatched-pattern"}
	linted := 0
	for _, p := range Paths {
		if _, err := os.Stat(filepath.Join(repo, p)); err == nil {
			args = append(args, p)
			linted++
		}
	}
	if linted == 0 {
		return fmt.Errorf("jslint: none of %v under %s", Paths, repo)
	}
	cmd := exec.CommandContext(ctx, node, args...)
	cmd.Dir = repo
	cmd.Stdout, cmd.Stderr = out, out
	err = cmd.Run()
	var exit *exec.ExitError
	if errors.As(err, &exit) && exit.ExitCode() == 1 {
		return ErrFindings
	}
	if err != nil {
		return fmt.Errorf("jslint: eslint: %w", err)
	}
	return nil
}
