package localproc

import (
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestTailKeepsTail(t *testing.T) {
	b := &Tail{Max: 10}
	for _, s := range []string{"0123456789", "abc", "defgh"} {
		if _, err := b.Write([]byte(s)); err != nil {
			t.Fatal(err)
		}
	}
	if got := b.String(); got != "89abcdefgh" {
		t.Fatalf("tail = %q, want %q", got, "89abcdefgh")
	}
	if !strings.HasSuffix(b.String(), "defgh") {
		t.Fatal("newest bytes lost")
	}
}

// A group that ignores SIGTERM is killed after the grace period, children
// included.
func TestStopGroupKillsAfterGrace(t *testing.T) {
	cmd := exec.Command("sh", "-c", `trap "" TERM; sleep 30 & wait`)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	time.Sleep(100 * time.Millisecond) // let the trap be set
	began := time.Now()
	StopGroup(cmd.Process.Pid, done, 300*time.Millisecond)
	if took := time.Since(began); took < 300*time.Millisecond {
		t.Fatalf("stopped after %s: SIGTERM should have been ignored", took)
	}
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("exit %v, want killed by SIGKILL", cmd.ProcessState)
	}
}
