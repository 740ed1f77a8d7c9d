package faultproxy_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/keymint/keymint/internal/faultproxy"
	"github.com/keymint/keymint/internal/testkit"
)

func TestLatencyDelaysThenForwards(t *testing.T) {
	t.Parallel()
	_, table := testkit.NewTable(t)
	p, via := startProxy(t)
	const delay = 300 * time.Millisecond
	inject(t, p, faultproxy.Rule{Kind: faultproxy.Latency, Ops: []string{"GetItem"}, Delay: delay})

	start := time.Now()
	if err := get(context.Background(), via, table, "absent"); err != nil {
		t.Fatalf("GetItem: %v", err)
	}
	if took := time.Since(start); took < delay {
		t.Errorf("GetItem took %v, want at least the injected %v", took, delay)
	}
	st := p.Stats()
	if st.Injected["GetItem"][faultproxy.Latency] != 1 || st.Forwarded["GetItem"] != 1 {
		t.Errorf("stats = %+v, want one Latency fault and one forwarded GetItem", st)
	}
}

func TestLatencyPastDeadlineFailsFastAndNeverWrites(t *testing.T) {
	t.Parallel()
	direct, table := testkit.NewTable(t)
	p, via := startProxy(t)
	inject(t, p, faultproxy.Rule{Kind: faultproxy.Latency, Delay: time.Minute})

	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := put(ctx, via, table, t.Name())
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("PutItem error = %v, want context.DeadlineExceeded", err)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("PutItem took %v to notice its 200ms deadline", took)
	}
	// The proxy must notice the client left and drop the held request
	// rather than send it on a minute later.
	eventually(t, "the held request to be abandoned", func() bool {
		return p.Stats().Abandoned["PutItem"] == 1
	})
	if n := p.Stats().Forwarded["PutItem"]; n != 0 {
		t.Errorf("Forwarded[PutItem] = %d, want 0", n)
	}
	if exists(t, direct, table, t.Name()) {
		t.Error("abandoned PutItem was written")
	}
}

// Close must not wait out a long Latency: tests close proxies in cleanup.
func TestCloseReleasesHeldRequests(t *testing.T) {
	t.Parallel()
	_, table := testkit.NewTable(t)
	p, via := startProxy(t)
	inject(t, p, faultproxy.Rule{Kind: faultproxy.Latency, Delay: time.Minute})

	errc := make(chan error, 1)
	go func() { errc <- get(context.Background(), via, table, "absent", noRetry) }()
	eventually(t, "the request to be held", func() bool {
		return p.Stats().Faults(faultproxy.Latency) == 1
	})
	start := time.Now()
	if err := p.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("Close took %v with a request held", took)
	}
	if err := <-errc; err == nil {
		t.Error("held GetItem succeeded although the proxy closed under it")
	}
}
