package extension_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/keymint/keymint/internal/extapi"
	"github.com/keymint/keymint/internal/testkit"
	"github.com/keymint/keymint/shared/extension"
)

func startAPI(t *testing.T) *extapi.Server { return testkit.ExtensionsAPI(t) }

func register(t *testing.T, s *extapi.Server) *extension.Client {
	t.Helper()
	c, err := extension.Register(context.Background(), s.Addr(), "keymint-test")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func ctxFor(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// The caller has its answer while the work is still running, and Lambda
// (Settled) would not freeze the environment until the work is done.
func TestWorkRunsAfterTheAnswerBeforeTheFreeze(t *testing.T) {
	t.Parallel()
	s := startAPI(t)
	release := make(chan struct{})
	var mu sync.Mutex
	var order []string
	note := func(what string) {
		mu.Lock()
		order = append(order, what)
		mu.Unlock()
	}
	after := extension.Start(register(t, s), func(ctx context.Context) {
		note("work started")
		<-release
		note("work done")
	}, extension.Options{Budget: 5 * time.Second}, quiet)

	answered := make(chan struct{})
	go func() {
		err := s.Invoke(ctxFor(t, 5*time.Second), "req-1", time.Now().Add(10*time.Second), func() {
			note("handler answered")
			after.Answered()
		})
		if err != nil {
			t.Error(err)
		}
		close(answered)
	}()
	select {
	case <-answered:
	case <-time.After(5 * time.Second):
		t.Fatal("the answer waited for the work")
	}
	if err := s.Settled(ctxFor(t, 200*time.Millisecond)); err == nil {
		t.Fatal("settled while the work was still running: Lambda could freeze it half-way")
	}
	close(release)
	if err := s.Settled(ctxFor(t, 5*time.Second)); err != nil {
		t.Fatalf("never settled after the work: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	want := []string{"handler answered", "work started", "work done"}
	if len(order) != 3 || order[0] != want[0] || order[1] != want[1] || order[2] != want[2] {
		t.Errorf("order %v, want %v", order, want)
	}
}

// The work's deadline is the budget, or the invocation's deadline less the
// margin when that comes first: the function's timeout covers the work.
func TestWorkIsBounded(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name             string
		budget, margin   time.Duration
		deadlineIn       time.Duration
		wantMin, wantMax time.Duration
	}{
		{"budget first", 200 * time.Millisecond, 100 * time.Millisecond, 10 * time.Second, 150 * time.Millisecond, 250 * time.Millisecond},
		{"deadline first", 10 * time.Second, 500 * time.Millisecond, 900 * time.Millisecond, 250 * time.Millisecond, 450 * time.Millisecond},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			s := startAPI(t)
			left := make(chan time.Duration, 1)
			after := extension.Start(register(t, s), func(ctx context.Context) {
				d, _ := ctx.Deadline()
				left <- time.Until(d)
			}, extension.Options{Budget: c.budget, Margin: c.margin}, quiet)
			if err := s.Invoke(ctxFor(t, 5*time.Second), "req", time.Now().Add(c.deadlineIn), after.Answered); err != nil {
				t.Fatal(err)
			}
			select {
			case got := <-left:
				if got < c.wantMin || got > c.wantMax {
					t.Errorf("work had %s, want between %s and %s", got, c.wantMin, c.wantMax)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("the work never ran")
			}
		})
	}
}

// An invocation that has not answered gets no work, and holds the
// environment (on Lambda it times out and the environment is reset); its
// answer, however late, lets the work run and the environment settle.
func TestNoWorkBeforeTheAnswer(t *testing.T) {
	t.Parallel()
	s := startAPI(t)
	ran := make(chan string, 4)
	after := extension.Start(register(t, s), func(ctx context.Context) { ran <- "work" }, extension.Options{Budget: time.Second}, quiet)
	if err := s.Invoke(ctxFor(t, 5*time.Second), "slow", time.Now().Add(10*time.Second), func() {}); err != nil {
		t.Fatal(err)
	}
	select {
	case w := <-ran:
		t.Fatalf("%s ran before the invocation answered", w)
	case <-time.After(300 * time.Millisecond):
	}
	if err := s.Settled(ctxFor(t, 100*time.Millisecond)); err == nil {
		t.Fatal("settled with an invocation unanswered")
	}
	after.Answered()
	select {
	case <-ran:
	case <-time.After(5 * time.Second):
		t.Fatal("no work after the answer")
	}
	if err := s.Settled(ctxFor(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
}

// When the Extensions API goes away, the extension stops and says so:
// whoever relied on it does the work before answering again.
func TestStopsWhenTheAPIIsGone(t *testing.T) {
	t.Parallel()
	s := startAPI(t)
	after := extension.Start(register(t, s), func(context.Context) {}, extension.Options{Budget: time.Second}, quiet)
	if !after.Running() {
		t.Fatal("not running after Start")
	}
	_ = s.Close()
	// It finds out when it next reads: after the next answer.
	after.Answered()
	select {
	case <-after.Stopped():
	case <-time.After(5 * time.Second):
		t.Fatal("still running with the API gone")
	}
	if after.Running() {
		t.Error("Running after the loop stopped")
	}
}

// Register outside Init is refused, as Lambda refuses it.
func TestRegisterAfterInitIsRefused(t *testing.T) {
	t.Parallel()
	s := startAPI(t)
	s.RuntimeReady()
	_, err := extension.Register(context.Background(), s.Addr(), "late")
	var ae *extension.APIError
	if !errors.As(err, &ae) || ae.Status != http.StatusForbidden || ae.Ending() {
		t.Fatalf("err = %v, want a 403 APIError", err)
	}
}
