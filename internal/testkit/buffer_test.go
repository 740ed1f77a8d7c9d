package testkit_test

import (
	"strings"
	"sync"
	"testing"

	"github.com/keymint/keymint/internal/testkit"
)

// Every write from every goroutine lands whole, and String may be read
// while they write (`go test -race` holds the latter).
func TestBufferKeepsConcurrentWritesWhole(t *testing.T) {
	t.Parallel()
	const writers, lines = 8, 200
	var b testkit.Buffer
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for range lines {
				if w%2 == 0 {
					b.Write([]byte("line\n"))
				} else {
					b.WriteString("line\n")
				}
				_ = b.String()
			}
		})
	}
	wg.Wait()
	if got := strings.Count(b.String(), "line\n"); got != writers*lines {
		t.Fatalf("%d whole lines, want %d", got, writers*lines)
	}
	if len(b.String()) != writers*lines*len("line\n") {
		t.Fatalf("%d bytes, want %d", len(b.String()), writers*lines*len("line\n"))
	}
}
