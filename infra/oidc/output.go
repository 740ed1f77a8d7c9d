package oidc

import (
	"bytes"
	"sync"
)

// lineWatch passes output on and closes seen at the first line starting
// with prefix.
type lineWatch struct {
	prefix string
	seen   chan struct{}
	next   *tailBuffer
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

// tailBuffer keeps the last max bytes written, enough to explain a failure
// without holding a long-running provider's whole log.
type tailBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
	max int
}

func (b *tailBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf.Write(p)
	if extra := b.buf.Len() - b.max; extra > 0 {
		b.buf.Next(extra)
	}
	return len(p), nil
}

func (b *tailBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
