package oidc

import (
	"bytes"
	"sync"

	"github.com/keymint/keymint/internal/localproc"
)

// lineWatch passes output on and closes seen at the first line starting
// with prefix.
type lineWatch struct {
	prefix string
	seen   chan struct{}
	next   *localproc.Tail
	mu     sync.Mutex
	line   []byte
	done   bool
}

func (w *lineWatch) Write(p []byte) (int, error) {
	w.next.Write(p)
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, c := range p {
		if w.done {
			break
		}
		if c != '\n' {
			if len(w.line) < 1024 {
				w.line = append(w.line, c)
			}
			continue
		}
		if bytes.HasPrefix(w.line, []byte(w.prefix)) {
			w.done = true
			close(w.seen)
		}
		w.line = w.line[:0]
	}
	return len(p), nil
}
