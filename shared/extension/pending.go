package extension

import (
	"context"
	"time"
)

// Pending is a registration under way. Registering is a round trip to the
// Extensions API, and a process's first network use; begun before the
// rest of a function's Init (building its configuration and clients), it
// runs beside that work instead of after it, so a cold start's first
// answer does not wait for it. Lambda requires it done before the
// runtime's first Next ends Init
// (https://docs.aws.amazon.com/lambda/latest/dg/runtimes-extensions-api.html#runtimes-extensions-registration-api):
// Wait joins it before that.
type Pending struct {
	done   chan struct{}
	client *Client
	err    error
	took   time.Duration
}

// Begin starts registering an internal extension called name with the
// Extensions API at addr, bounded by timeout, and returns at once.
func Begin(addr, name string, timeout time.Duration) *Pending {
	p := &Pending{done: make(chan struct{})}
	go func() {
		defer close(p.done)
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		began := time.Now()
		p.client, p.err = Register(ctx, addr, name)
		p.took = time.Since(began)
	}()
	return p
}

// Wait returns the registration's outcome once it is done: the client, how
// long registering took, and how long Wait itself waited for it (what the
// registration added to Init).
func (p *Pending) Wait() (c *Client, took, waited time.Duration, err error) {
	began := time.Now()
	<-p.done
	return p.client, p.took, time.Since(began), p.err
}
