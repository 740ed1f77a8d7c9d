package doccheck

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/keymint/keymint/internal/oidc/oidctest"
	"github.com/keymint/keymint/internal/testkit"
)

const (
	// startTimeout: `make run` on fresh data builds its tools and starts a
	// JVM and Node.js on two cores.
	startTimeout = 3 * time.Minute
	pageTimeout  = 3 * time.Minute
	stopTimeout  = 30 * time.Second
)

// TestDocsCommandsRun runs every command README.md and docs/*.md show
// (see the package doc): the page's `make run` block as a reader starts
// it, then each page's run blocks against it, checking what each command
// prints against what its page says.
func TestDocsCommandsRun(t *testing.T) {
	repo, err := testkit.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	pages := []string{filepath.Join(repo, "README.md")}
	more, err := filepath.Glob(filepath.Join(repo, "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	pages = append(pages, more...)

	var starts []Block
	runs := map[string][]Block{}
	for _, p := range pages {
		blocks, err := Parse(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range blocks {
			switch b.Kind {
			case Start:
				starts = append(starts, b)
			case Run:
				runs[p] = append(runs[p], b)
			case Shown:
				t.Logf("not run, %s: %s", b, b.Reason)
			}
		}
	}
	if len(starts) != 1 {
		t.Fatalf("want exactly one start block (the quickstart's `make run`), found %v", starts)
	}

	env := readerEnv(t, repo)
	startBlock(t, repo, env, starts[0])
	for _, p := range pages {
		if len(runs[p]) == 0 {
			continue
		}
		rel, _ := filepath.Rel(repo, p)
		t.Run(rel, func(t *testing.T) { runPage(t, repo, env, runs[p]) })
	}
}

// readerEnv is a fresh terminal's environment for the commands: no make
// or test settings inherited from `make test`, and the stack's own
// LOCAL_DIR and ports, which the pages' commands read as a reader's
// shell would (`${LOCAL_DIR:-.local}`, `${PORT:-3000}`, …).
func readerEnv(t *testing.T, repo string) []string {
	t.Helper()
	local := oidctest.StackDir(t)
	drop := []string{"MAKEFLAGS", "MAKELEVEL", "MFLAGS", "MAKEOVERRIDES", "DYNAMODB_ENDPOINT", "LOCAL_DIR", "PORT", "EXAMPLE_PORT", "EXAMPLE_REST_PORT", "DYNAMODB_PORT", "GOFLAGS"}
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if !slices.Contains(drop, k) {
			env = append(env, kv)
		}
	}
	return append(env,
		"LOCAL_DIR="+local,
		"PORT="+strconv.Itoa(testkit.FreePort(t)),
		"EXAMPLE_PORT="+strconv.Itoa(testkit.FreePort(t)),
		"EXAMPLE_REST_PORT="+strconv.Itoa(testkit.FreePort(t)),
		"DYNAMODB_PORT="+strconv.Itoa(testkit.FreePort(t)),
	)
}

// startBlock starts b in its own process group and waits for its ready
// text; the test's end stops it as Ctrl-C would (SIGINT to the group).
func startBlock(t *testing.T, repo string, env []string, b Block) {
	t.Helper()
	out := testkit.NewOutput(b.Ready)
	cmd := exec.Command("bash", "-c", strings.Join(b.Lines, "\n"))
	cmd.Dir, cmd.Env = repo, env
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	began := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGINT)
		select {
		case <-exited:
		case <-time.After(stopTimeout):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-exited
			t.Errorf("%s did not stop within %s of Ctrl-C; killed", b, stopTimeout)
		}
		if t.Failed() {
			t.Logf("%s output:\n%s", b, out.Tail(60))
		}
	})
	select {
	case <-out.Seen():
		t.Logf("%s up in %s", b, time.Since(began).Round(100*time.Millisecond))
	case err := <-exited:
		exited <- err
		t.Fatalf("%s exited before printing %q (%v):\n%s", b, b.Ready, err, out.Tail(60))
	case <-time.After(startTimeout):
		t.Fatalf("%s did not print %q within %s:\n%s", b, b.Ready, startTimeout, out.Tail(60))
	}
}

// runPage runs a page's commands in one bash, in order, and checks each
// command's output against its page.
func runPage(t *testing.T, repo string, env []string, blocks []Block) {
	cmds, err := Commands(blocks)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), pageTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-c", Script(cmds))
	cmd.Dir, cmd.Env = repo, env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	outputs := Outputs(stdout.String(), len(cmds))
	if runErr != nil {
		// The last command that started is the one that failed.
		failed := -1
		for i := range cmds {
			if _, ok := outputs[i]; ok {
				failed = i
			}
		}
		where := "before the first command"
		if failed >= 0 {
			where = fmt.Sprintf("%s: %s", cmds[failed], firstLine(cmds[failed].Text))
		}
		var ee *exec.ExitError
		if errors.As(runErr, &ee) || ctx.Err() != nil {
			t.Errorf("a command failed (%v) at %s\nstderr:\n%s", runErr, where, testkit.LastLines(stderr.String(), 30))
		} else {
			t.Fatal(runErr)
		}
	}
	for _, m := range Check(cmds, outputs) {
		t.Error(m.Error())
	}
	t.Logf("%d commands, %d with their output checked", len(cmds), countWant(cmds))
}

func countWant(cmds []Command) int {
	n := 0
	for _, c := range cmds {
		if c.Want != nil {
			n++
		}
	}
	return n
}
