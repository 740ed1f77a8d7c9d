package extapi

import (
	"context"
	"errors"
	"fmt"
	"github.com/google/uuid"
	"slices"
	"strings"
	"time"
)

// extension is one registered extension's state; Server.mu guards it.
type extension struct {
	name   string
	id     string
	events []string
	invoke bool // registered for INVOKE
	queue  []event
	// waiting counts its Next requests blocked for an event: it is done
	// with every event it was sent once one waits and the queue is empty.
	waiting    int
	calledNext bool // its Init is over
}

func (e *extension) settled() bool { return e.waiting > 0 && len(e.queue) == 0 }

// event is an INVOKE event as Next answers it
// (https://docs.aws.amazon.com/lambda/latest/dg/runtimes-extensions-api.html#runtimes-lifecycle-invoke).
type event struct {
	EventType string `json:"eventType"`
	// DeadlineMs is the invocation's deadline in Unix milliseconds.
	DeadlineMs         int64   `json:"deadlineMs"`
	RequestID          string  `json:"requestId"`
	InvokedFunctionArn string  `json:"invokedFunctionArn"`
	Tracing            tracing `json:"tracing"`
}

type tracing struct {
	Type  string `json:"type"`
	Value string `json:"value"`
}

// addLocked registers an extension; s.mu is held.
func (s *Server) addLocked(name string, events []string) (*extension, *refusal) {
	switch {
	case s.closed:
		return nil, containerError()
	case s.registrationClosed:
		// The docs: extensions register during Init; the code is the
		// emulator's (and the docs' Forbidden).
		return nil, forbidden(errRegistrationClosed, "Extension registration closed already")
	case len(s.exts) >= MaxExtensions:
		return nil, forbidden(errTooManyExtensions, fmt.Sprintf("Extension limit (%d) reached", MaxExtensions))
	case slices.ContainsFunc(s.exts, func(e *extension) bool { return e.name == name }):
		return nil, forbidden(errInvalidState, "Extension with this name already registered")
	}
	ext := &extension{name: name, id: uuid.NewString(), events: slices.Clone(events), invoke: slices.Contains(events, EventInvoke)}
	s.exts = append(s.exts, ext)
	s.byID[ext.id] = ext
	s.broadcastLocked()
	return ext, nil
}

// RuntimeReady is the runtime's first Next: the function's init code has
// run. Register is closed from then on, as on Lambda, where internal
// extensions register while the runtime initialises. Invoke calls it too.
func (s *Server) RuntimeReady() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.registrationClosed {
		s.registrationClosed = true
		s.broadcastLocked()
	}
}

// Invoke runs one invocation as Lambda does. The first one ends Init: it
// waits (up to ctx) until every registered extension has called Next.
// It then queues an INVOKE event (requestID, deadline, the function's
// ARN, a trace header) for every extension registered for INVOKE, runs fn
// (the runtime running the handler) and returns when fn does: the
// caller's answer never waits for the extensions.
func (s *Server) Invoke(ctx context.Context, requestID string, deadline time.Time, fn func()) error {
	s.RuntimeReady()
	initDone := func(e *extension) bool { return e.calledNext }
	s.mu.Lock()
	err := s.awaitLocked(ctx, func() bool { return len(s.busyLocked(initDone)) == 0 })
	if errors.Is(err, ErrClosed) {
		s.mu.Unlock()
		return err
	}
	if err != nil {
		pending := s.busyLocked(initDone)
		s.mu.Unlock()
		return fmt.Errorf("extapi: Init did not end: extensions %s never called Next: %w", strings.Join(pending, ", "), err)
	}
	ev := event{
		EventType:          EventInvoke,
		RequestID:          requestID,
		InvokedFunctionArn: s.fn.ARN,
		Tracing:            tracing{Type: "X-Amzn-Trace-Id", Value: newTraceHeader(time.Now())},
	}
	if !deadline.IsZero() {
		ev.DeadlineMs = deadline.UnixMilli()
	}
	for _, e := range s.exts {
		if e.invoke {
			e.queue = append(e.queue, ev)
		}
	}
	s.broadcastLocked()
	s.mu.Unlock()
	fn()
	return nil
}

// Settled waits (up to ctx) until every extension has called Next since
// the last event it was sent and no event waits for one: the moment Lambda
// would freeze the environment. Tests use it to know the work extensions
// do after the answer is done.
func (s *Server) Settled(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	err := s.awaitLocked(ctx, func() bool { return len(s.busyLocked((*extension).settled)) == 0 })
	if err != nil {
		return fmt.Errorf("extapi: extensions %s still at work: %w", strings.Join(s.busyLocked((*extension).settled), ", "), err)
	}
	return nil
}

// Received waits (up to ctx) until every extension has taken the events
// queued for it: its Next has answered with them. Benchmarks use it to
// time a handler apart from the extensions' receiving of the same
// invocation, which on Lambda runs beside it.
func (s *Server) Received(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.awaitLocked(ctx, func() bool {
		return len(s.busyLocked(func(e *extension) bool { return len(e.queue) == 0 })) == 0
	})
}

// busyLocked names the extensions for which done is false; s.mu is held.
func (s *Server) busyLocked(done func(*extension) bool) []string {
	var names []string
	for _, e := range s.exts {
		if !done(e) {
			names = append(names, e.name)
		}
	}
	return names
}

// Extension is a registered extension as the start-up log shows it.
type Extension struct {
	Name   string
	Events []string
}

// Extensions lists the registered extensions in registration order.
func (s *Server) Extensions() []Extension {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Extension, 0, len(s.exts))
	for _, e := range s.exts {
		out = append(out, Extension{Name: e.name, Events: slices.Clone(e.events)})
	}
	return out
}
