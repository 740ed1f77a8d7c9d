// Package faultproxy is an HTTP reverse proxy for DynamoDB Local that injects
// the faults real DynamoDB produces - throttling, 500s, 503s, latency and
// dropped connections before or after a write - so reliability tests can
// drive keymint's AWS SDK clients through them.
//
//	p, err := faultproxy.New(testkit.Endpoint())
//	url, err := p.Listen()
//	defer p.Close()
//	p.Inject(faultproxy.Rule{Kind: faultproxy.Throttle, Ops: []string{"PutItem"}, Times: 1})
//	client := ddblocal.NewClient(url) // or dynamodb.Options{BaseEndpoint: &url}
//
// Proxy is also an http.Handler for callers that run their own server.
package faultproxy

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"time"
)

// Proxy forwards requests to a DynamoDB endpoint, faulting those its rules
// pick. Its methods are safe for concurrent use.
type Proxy struct {
	target    *url.URL
	transport *http.Transport

	// done is closed by Close to release requests held by Latency.
	done chan struct{}
	// inflight lets Close wait for handlers, so nothing outlives the test
	// that owns the proxy.
	inflight sync.WaitGroup

	mu        sync.Mutex
	closed    bool
	srv       *http.Server
	rules     []*rule
	injected  map[string]map[Kind]int
	forwarded map[string]int
	abandoned map[string]int
}

// New returns a proxy for target, a DynamoDB endpoint URL such as
// http://127.0.0.1:8000. It does not listen until Listen is called.
func New(target string) (*Proxy, error) {
	u, err := url.Parse(target)
	if err != nil {
		return nil, fmt.Errorf("faultproxy: target %q: %w", target, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("faultproxy: target %q: want http(s)://host[:port]", target)
	}
	return &Proxy{
		target: u,
		transport: &http.Transport{
			Proxy:       nil, // never route test traffic through HTTP_PROXY
			DialContext: (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
			// Pass Accept-Encoding and bodies through untouched instead of
			// letting the transport negotiate gzip and decode it.
			DisableCompression:  true,
			MaxIdleConnsPerHost: 16,
		},
		done:      make(chan struct{}),
		injected:  map[string]map[Kind]int{},
		forwarded: map[string]int{},
		abandoned: map[string]int{},
	}, nil
}

// Listen serves the proxy on a free loopback port and returns its URL, for
// dynamodb.Options.BaseEndpoint.
func (p *Proxy) Listen() (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return "", errors.New("faultproxy: Listen after Close")
	}
	if p.srv != nil {
		return "", errors.New("faultproxy: already listening")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("faultproxy: listen: %w", err)
	}
	p.srv = &http.Server{Handler: p, ReadHeaderTimeout: 10 * time.Second}
	go p.srv.Serve(ln)
	return "http://" + ln.Addr().String(), nil
}

// Close stops the listener, cuts client connections, releases requests held
// by Latency and waits for in-flight requests to finish.
func (p *Proxy) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	srv := p.srv
	p.mu.Unlock()

	close(p.done)
	var err error
	if srv != nil {
		err = srv.Close()
	}
	p.inflight.Wait()
	p.transport.CloseIdleConnections()
	return err
}

// Inject adds a rule after those already installed. It rejects rules that
// make no sense (see Rule) with an error wrapping ErrBadRule.
func (p *Proxy) Inject(r Rule) error {
	in, err := newRule(r)
	if err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rules = append(p.rules, in)
	return nil
}

// Clear removes every rule; counters are kept.
func (p *Proxy) Clear() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rules = nil
}

// Stats is a snapshot of the proxy's counters, keyed by operation name
// ("PutItem"; "" for requests without X-Amz-Target).
type Stats struct {
	// Injected counts faults by operation, then kind.
	Injected map[string]map[Kind]int
	// Forwarded counts requests DynamoDB answered, including those delayed
	// by Latency and those whose answer DropAfter threw away.
	Forwarded map[string]int
	// Abandoned counts Latency-held requests whose client gave up (or the
	// proxy closed) before the delay ended; they were never forwarded.
	Abandoned map[string]int
}

// Faults totals the faults of kind k over all operations.
func (s Stats) Faults(k Kind) int {
	n := 0
	for _, byKind := range s.Injected {
		n += byKind[k]
	}
	return n
}

// Stats returns a copy of the counters; changing it does not affect the
// proxy.
func (p *Proxy) Stats() Stats {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := Stats{
		Injected:  make(map[string]map[Kind]int, len(p.injected)),
		Forwarded: maps.Clone(p.forwarded),
		Abandoned: maps.Clone(p.abandoned),
	}
	for op, byKind := range p.injected {
		s.Injected[op] = maps.Clone(byKind)
	}
	return s
}

// ServeHTTP forwards r to the target or answers it with a fault.
func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		http.Error(w, "faultproxy: closed", http.StatusServiceUnavailable)
		return
	}
	// Added under the lock that Close takes before Wait, so no Add can race
	// a Wait.
	p.inflight.Add(1)
	p.mu.Unlock()
	defer p.inflight.Done()

	// Read the whole body up front: forwarding needs it, and draining it
	// before a drop makes the client see a clean EOF on the response rather
	// than a reset while still writing.
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, "faultproxy: read request: "+err.Error(), http.StatusBadRequest)
		return
	}
	op := operation(r.Header.Get("X-Amz-Target"))
	fault, ok := p.pick(op)
	switch {
	case !ok:
		p.forward(w, r, op, body, false)
	case fault.Kind == Throttle, fault.Kind == ServerError, fault.Kind == Unavailable:
		writeError(w, fault)
	case fault.Kind == Latency:
		if !p.hold(r.Context(), fault.Delay) {
			p.count(p.abandoned, op)
			// Returning without a write would make net/http send an
			// empty 200, which the SDK takes for success.
			drop(w)
			return
		}
		p.forward(w, r, op, body, false)
	case fault.Kind == DropBefore:
		drop(w)
	case fault.Kind == DropAfter:
		p.forward(w, r, op, body, true)
	}
}

// pick returns the fault for a request, counting it, or false to pass the
// request through.
func (p *Proxy) pick(op string) (Rule, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i, r := range p.rules {
		if !r.fires(op) {
			continue
		}
		if r.spent() {
			p.rules = slices.Delete(p.rules, i, i+1)
		}
		if p.injected[op] == nil {
			p.injected[op] = map[Kind]int{}
		}
		p.injected[op][r.Kind]++
		return r.Rule, true
	}
	return Rule{}, false
}

func (p *Proxy) count(m map[string]int, op string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	m[op]++
}

// hold waits d and reports true, or false as soon as the client disconnects
// or the proxy closes.
func (p *Proxy) hold(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	case <-p.done:
		return false
	}
}

// drop closes the client connection without a response.
func drop(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		// Not hijackable (HTTP/2): the server resets the stream instead.
		panic(http.ErrAbortHandler)
	}
	conn.Close()
}
