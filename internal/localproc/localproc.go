// Package localproc holds what the local stack's child servers (DynamoDB
// Local, the development OpenID provider) share: the tail of their output
// for error messages, and stopping their whole process group.
package localproc

import (
	"bytes"
	"sync"
	"syscall"
	"time"
)

// Tail keeps the last Max bytes written, enough to explain a failure
// without holding a long-running server's whole log.
type Tail struct {
	Max int

	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *Tail) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf.Write(p)
	if extra := b.buf.Len() - b.Max; extra > 0 {
		b.buf.Next(extra)
	}
	return len(p), nil
}

func (b *Tail) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// StopGroup sends SIGTERM to the process group led by pid (a JVM or Node
// may have forked helpers), SIGKILL after grace, and returns once done is
// closed (the caller's Wait finished).
func StopGroup(pid int, done <-chan struct{}, grace time.Duration) {
	_ = syscall.Kill(-pid, syscall.SIGTERM)
	select {
	case <-done:
	case <-time.After(grace):
		_ = syscall.Kill(-pid, syscall.SIGKILL)
		<-done
	}
}
