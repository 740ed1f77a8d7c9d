package extension

import (
	"context"
	"errors"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
)

// Work is what runs after an answer; ctx carries its deadline.
type Work func(ctx context.Context)

// Options bound the work after each answer.
type Options struct {
	// Budget is the longest the work may take after one answer.
	Budget time.Duration
	// Margin is kept between the work's end and the invocation's
	// deadline, which covers the extension's work too.
	Margin time.Duration
}

// After runs Work once the handler has answered each invocation.
type After struct {
	client   *Client
	work     Work
	opt      Options
	log      *slog.Logger
	answered chan struct{}
	running  atomic.Bool
	stopped  chan struct{}
}

// answeredBuffer lets Answered never block: Lambda runs one invocation at
// a time per environment, and local stacks a few at once.
const answeredBuffer = 1024

// Start runs the extension's loop: Next, wait for the handler's answer to
// that invocation, do the work, Next again. The first Next also ends the
// extension's part of Init.
func Start(c *Client, work Work, opt Options, log *slog.Logger) *After {
	a := &After{client: c, work: work, opt: opt, log: log,
		answered: make(chan struct{}, answeredBuffer), stopped: make(chan struct{})}
	a.running.Store(true)
	go a.loop()
	return a
}

// Running reports whether work still waits for the answer: false once the
// extension has stopped.
func (a *After) Running() bool { return a.running.Load() }

// Stopped is closed when the extension's loop has ended.
func (a *After) Stopped() <-chan struct{} { return a.stopped }

// Answered tells the extension the handler has its answer for the
// current invocation.
func (a *After) Answered() {
	select {
	case a.answered <- struct{}{}:
	default:
	}
}

// Wrap calls Answered each time h returns.
func (a *After) Wrap(h lambda.Handler) lambda.Handler { return wrapped{h: h, a: a} }

type wrapped struct {
	h lambda.Handler
	a *After
}

func (w wrapped) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	defer w.a.Answered()
	return w.h.Invoke(ctx, payload)
}

// loop asks for each event and reads it only once the handler has
// answered: nothing of the extension runs while an invocation is being
// answered (the event waits in its connection), so the answer shares the
// environment's CPU with nothing of it.
func (a *After) loop() {
	defer close(a.stopped)
	bg := context.Background()
	if err := a.client.Ask(bg); err != nil { // ends the extension's Init
		a.stop(err)
		return
	}
	for {
		// Lambda sent this environment an invocation (to the runtime and
		// to this extension, whose event waits unread); its handler has
		// answered it.
		<-a.answered
		ev, err := a.client.Event(bg)
		if err != nil {
			a.stop(err)
			return
		}
		if ev.Type == EventInvoke {
			a.after(ev)
		}
		if err := a.client.Ask(bg); err != nil {
			a.stop(err)
			return
		}
	}
}

// after runs the work for one answered invocation, within its budget and
// the invocation's deadline less the margin.
func (a *After) after(ev Event) {
	end := time.Now().Add(a.opt.Budget)
	if ev.DeadlineMs != 0 {
		if d := time.UnixMilli(ev.DeadlineMs).Add(-a.opt.Margin); d.Before(end) {
			end = d
		}
	}
	ctx, cancel := context.WithDeadline(context.Background(), end)
	defer cancel()
	a.work(ctx)
}

// stop ends the extension: whoever relied on it works before answering
// again.
func (a *After) stop(err error) {
	a.running.Store(false)
	if ae := (*APIError)(nil); errors.As(err, &ae) && ae.Ending() {
		// The environment is going away: nothing more will run here.
		a.log.Info("post-response extension ended with its environment")
		return
	}
	a.log.Error("post-response extension stopped: work now runs before each answer", slog.Any("error", err))
}
