package testkit

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
)

// Output collects a process's output (its stdout and stderr may share
// one) and closes Seen the first time Want appears in it, so a test can
// wait for a server to say it is up.
type Output struct {
	Want string

	mu   sync.Mutex
	buf  bytes.Buffer
	seen chan struct{}
	done bool
}

// NewOutput waits for want.
func NewOutput(want string) *Output { return &Output{Want: want, seen: make(chan struct{})} }

func (o *Output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.buf.Write(p)
	if !o.done && bytes.Contains(o.buf.Bytes(), []byte(o.Want)) {
		o.done = true
		close(o.seen)
	}
	return len(p), nil
}

// Seen is closed once Want has been written.
func (o *Output) Seen() <-chan struct{} { return o.seen }

func (o *Output) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.String()
}

// Tail is the output's last n lines, for a failure message.
func (o *Output) Tail(n int) string { return LastLines(o.String(), n) }

// LastLines is s's last n lines, with a note of how many came before.
func LastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = append([]string{fmt.Sprintf("… (%d lines before)", len(lines)-n)}, lines[len(lines)-n:]...)
	}
	return strings.Join(lines, "\n")
}
