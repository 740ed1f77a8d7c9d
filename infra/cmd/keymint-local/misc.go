package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/keymint/keymint/internal/benchfmt"
	"github.com/keymint/keymint/internal/ddblocal"
	"github.com/keymint/keymint/internal/localrt"
)

// cmdTestDDB runs one command under one in-memory DynamoDB Local (the
// same as `ddblocal exec`, which `make test` uses).
func cmdTestDDB(ctx context.Context, args []string, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "--" {
		args = args[1:]
	}
	if len(args) == 0 {
		fmt.Fprintln(stderr, "usage: keymint-local test-ddb -- <command> [args...]")
		return exitError{2}
	}
	dir := os.Getenv("LOCAL_DIR")
	if dir == "" {
		dir = ".local"
	}
	code, err := ddblocal.Exec(ctx, ddblocal.Options{LocalDir: dir, InMemory: true}, stderr, args[0], args[1:]...)
	if err != nil {
		return err
	}
	if code != 0 {
		return exitError{code}
	}
	return nil
}

func cmdKeyring(stdout io.Writer) error {
	doc, err := localrt.NewKeyringJSON()
	if err != nil {
		return err
	}
	_, err = stdout.Write(doc)
	return err
}

func cmdBenchReport(args []string, stdin io.Reader) error {
	fs := flag.NewFlagSet("bench-report", flag.ContinueOnError)
	out := fs.String("o", "BENCHMARKS.md", "output file")
	command := fs.String("command", "make bench", "command to name in the report")
	if err := fs.Parse(args); err != nil {
		return exitError{2}
	}
	rep, err := benchfmt.Parse(stdin)
	if err != nil {
		return err
	}
	md := rep.Markdown(benchfmt.Meta{
		Date:      time.Now(),
		GoVersion: runtime.Version(),
		NumCPU:    runtime.NumCPU(),
		Command:   *command,
	})
	tmp := *out + ".tmp"
	if err := os.WriteFile(tmp, []byte(md), 0o644); err != nil {
		return err
	}
	if err := os.Rename(tmp, *out); err != nil {
		return err
	}
	var failed []string
	for _, p := range rep.Packages {
		if p.Failed {
			failed = append(failed, p.Path)
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("benchmarks failed in %s (report written to %s)", strings.Join(failed, ", "), filepath.Clean(*out))
	}
	return nil
}
