package consolee2e

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/keymint/keymint/internal/npmpin"
	"github.com/keymint/keymint/internal/testkit"
)

// flowsTimeout bounds the whole node run; each flow has its own, shorter
// one inside flows.mjs.
const flowsTimeout = 5 * time.Minute

// TestConsoleInChromium runs every flow in flows/ against a fresh local
// stack. It never skips: a machine without Node.js, npm or Chromium fails
// here with what to install, so a green `make test` means the console was
// really driven in a browser.
func TestConsoleInChromium(t *testing.T) {
	repo, err := testkit.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	// What the browser needs comes first: no point starting a stack for a
	// test that cannot run.
	chromium := chromiumPath(t)
	nodeDir, node, err := tree().Install(context.Background(), filepath.Join(repo, ".local"))
	if err != nil {
		t.Fatalf("the console's browser tests need Node.js %d+ and npm (for %s): %v", npmpin.MinNode, playwrightCore, err)
	}
	shots := os.Getenv("SCREENSHOT_DIR")
	if shots == "" {
		shots = filepath.Join(repo, ".local", "screenshots")
	} else if !filepath.IsAbs(shots) {
		shots = filepath.Join(repo, shots) // as the Makefile, at the root, means it
	}

	// The stack `make run` starts without plans, one where an admin must
	// enable each owner before it may hold tokens (the flows with stack:
	// "enablement"), and one with the example plans, everyone on free until
	// moved (stack: "plans"). make run's own default (the example plans,
	// bob on free) is held by keymint-local's and the docs' tests.
	noPlans := map[string]string{"PLANS_FILE": "", "DEFAULT_PLAN": ""}
	stacks := startStacks(t, repo,
		stackSpec{name: "default", params: noPlans},
		stackSpec{name: "enablement", params: map[string]string{"TOKENS_REQUIRE_ENABLEMENT": "true", "PLANS_FILE": "", "DEFAULT_PLAN": ""}},
		stackSpec{name: "plans", params: map[string]string{"PLANS_FILE": "infra/plans.example.json", "DEFAULT_PLAN": "free"}})

	ctx, cancel := context.WithTimeout(context.Background(), flowsTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "flows.mjs")
	cmd.Env = append(os.Environ(),
		"SCREENSHOT_DIR="+shots,
		"CHROMIUM="+chromium,
		"E2E_NODE_DIR="+nodeDir,
	)
	for _, s := range stacks {
		suffix := ""
		if s.name != "default" {
			suffix = "_" + strings.ToUpper(s.name)
		}
		cmd.Env = append(cmd.Env, "BASE_URL"+suffix+"="+s.base, "ADMIN_TOKEN_FILE"+suffix+"="+filepath.Join(s.localDir, "admin-token"))
	}
	// SIGTERM, not SIGKILL, on timeout: Playwright then closes Chromium.
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 15 * time.Second
	cmd.SysProcAttr = orphanSignal(syscall.SIGTERM)
	log := &lineLog{t: t}
	cmd.Stdout, cmd.Stderr = log, log
	began := time.Now()
	err = cmd.Run()
	log.flush()
	t.Logf("flows ran in %s", time.Since(began).Round(100*time.Millisecond))
	if ctx.Err() != nil {
		err = ctx.Err()
	}
	if err != nil {
		for _, s := range stacks {
			t.Logf("keymint-local output (%s stack):\n%s", s.name, s.out.Tail(150))
		}
		t.Fatalf("console flows failed (node flows.mjs: %v): see the FAIL lines above; screenshots in %s", err, shots)
	}
	// The flows made, copied, regenerated and used tokens: none of their
	// secrets may be in the stack's logs (tokens in paths are masked).
	for _, s := range stacks {
		if leaked := secretShape.FindAllString(s.out.String(), 3); len(leaked) > 0 {
			t.Errorf("token secrets in the %s stack's output: %q", s.name, leaked)
		}
	}
}

// secretShape is a whole token (prefix_id_secret+check); a masked one ends
// in _[REDACTED] and does not match.
var secretShape = regexp.MustCompile(`[a-z]{2,8}_[0-9A-Za-z]{16}_[0-9A-Za-z]{38}`)

// chromiumPath is $CHROMIUM (a path or a name on PATH), else Debian's
// /usr/bin/chromium, else chromium on PATH, which is what
// ensure-chromium.sh checks.
func chromiumPath(t *testing.T) string {
	t.Helper()
	c := os.Getenv("CHROMIUM")
	if c == "" {
		c = "chromium"
		if _, err := exec.LookPath("/usr/bin/chromium"); err == nil {
			c = "/usr/bin/chromium"
		}
	}
	p, err := exec.LookPath(c)
	if err != nil {
		t.Fatalf("no Chromium for the console's browser tests (%v): run `make deps` (infra/scripts/ensure-chromium.sh installs Debian's chromium) or set CHROMIUM to a Chromium binary", err)
	}
	return p
}

// lineLog passes a process's output to t.Log a line at a time, so it
// streams under -v and reads as one block otherwise.
type lineLog struct {
	t   *testing.T
	mu  sync.Mutex
	buf []byte
}

func (l *lineLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf = append(l.buf, p...)
	for {
		i := bytes.IndexByte(l.buf, '\n')
		if i < 0 {
			return len(p), nil
		}
		l.t.Log(string(l.buf[:i]))
		l.buf = l.buf[i+1:]
	}
}

func (l *lineLog) flush() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.buf) > 0 {
		l.t.Log(string(l.buf))
		l.buf = nil
	}
}
