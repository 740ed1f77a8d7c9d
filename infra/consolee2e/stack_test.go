package consolee2e

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/keymint/keymint/internal/oidc/oidctest"
	"github.com/keymint/keymint/internal/testkit"
)

// stack is `keymint-local run` on a LOCAL_DIR of its own.
type stack struct {
	name     string // what the flows call it: "default", "enablement"
	base     string // http://127.0.0.1:<port>
	localDir string
	out      *testkit.Output // its stdout and stderr
	began    time.Time
	exited   chan error
}

const (
	readyTimeout = 90 * time.Second // a cold JVM and provider on two cores
	stopTimeout  = 30 * time.Second
)

// stackSpec is one stack to start: its name and the template parameters
// it overrides (keymint-local's -env-vars, as `sam local --env-vars`).
type stackSpec struct {
	name   string
	params map[string]string
}

// startStacks builds keymint-local and runs one per spec from the
// repository root (it reads template.yaml there) on free ports, all at
// once so their JVMs and providers come up side by side, and waits until
// each serves. Each is stopped with SIGINT, as Ctrl-C does, when the test
// ends.
func startStacks(t *testing.T, repo string, specs ...stackSpec) []*stack {
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
	stacks := make([]*stack, len(specs))
	for i, spec := range specs {
		stacks[i] = launch(t, repo, bin, spec)
	}
	for _, s := range stacks {
		s.await(t)
	}
	return stacks
}

// launch starts one stack without waiting for it.
func launch(t *testing.T, repo, bin string, spec stackSpec) *stack {
	t.Helper()
	local := oidctest.StackDir(t)
	args := []string{"run"}
	if len(spec.params) > 0 {
		raw, err := json.Marshal(map[string]any{"Parameters": spec.params})
		if err != nil {
			t.Fatal(err)
		}
		file := filepath.Join(local, "env-vars.json")
		if err := os.WriteFile(file, raw, 0o600); err != nil {
			t.Fatal(err)
		}
		args = append(args, "-env-vars", file)
	}
	port, ddbPort, examplePort, restPort := testkit.FreePort(t), testkit.FreePort(t), testkit.FreePort(t), testkit.FreePort(t)
	s := &stack{name: spec.name, base: fmt.Sprintf("http://127.0.0.1:%d", port), localDir: local, exited: make(chan error, 1)}
	s.out = testkit.NewOutput("keymint API on " + s.base + "\n")

	cmd := exec.Command(bin, args...)
	cmd.Dir = repo
	cmd.Env = append(os.Environ(), "LOCAL_DIR="+local, fmt.Sprintf("PORT=%d", port), fmt.Sprintf("DYNAMODB_PORT=%d", ddbPort),
		// The stack's sample APIs behind the authorizer, where they are served.
		fmt.Sprintf("EXAMPLE_PORT=%d", examplePort), fmt.Sprintf("EXAMPLE_REST_PORT=%d", restPort))
	cmd.Stdout, cmd.Stderr = s.out, s.out
	cmd.SysProcAttr = orphanSignal(syscall.SIGTERM)
	s.began = time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { s.exited <- cmd.Wait() }()
	t.Cleanup(func() { s.stop(t, cmd) })
	return s
}

// await waits until the stack serves.
func (s *stack) await(t *testing.T) {
	t.Helper()
	select {
	case <-s.out.Seen():
		t.Logf("%s stack up on %s in %s (LOCAL_DIR %s)", s.name, s.base, time.Since(s.began).Round(100*time.Millisecond), s.localDir)
	case err := <-s.exited:
		s.exited <- err // for stop
		t.Fatalf("%s stack: keymint-local run exited before serving (%v):\n%s", s.name, err, s.out)
	case <-time.After(readyTimeout - time.Since(s.began)):
		t.Fatalf("%s stack: keymint-local run did not print %q within %s:\n%s", s.name, strings.TrimSpace(s.out.Want), readyTimeout, s.out)
	}
}

// stop sends SIGINT and waits; a stack that does not stop is killed (its
// JVM and provider die with it: they are started with Pdeathsig).
func (s *stack) stop(t *testing.T, cmd *exec.Cmd) {
	exited := s.exited
	select {
	case err := <-exited: // already gone
		if err != nil && !t.Failed() {
			t.Errorf("%s stack: keymint-local run exited early: %v\n%s", s.name, err, s.out)
		}
		return
	default:
	}
	_ = cmd.Process.Signal(os.Interrupt)
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("%s stack: keymint-local run exited with %v after SIGINT:\n%s", s.name, err, s.out)
		}
	case <-time.After(stopTimeout):
		_ = cmd.Process.Kill()
		<-exited
		t.Errorf("%s stack: keymint-local run did not stop within %s of SIGINT; killed:\n%s", s.name, stopTimeout, s.out)
	}
}
