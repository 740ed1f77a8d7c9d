package extapi

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Function is what Lambda tells an extension about the function it runs in.
type Function struct {
	Name    string // AWS_LAMBDA_FUNCTION_NAME
	Version string // AWS_LAMBDA_FUNCTION_VERSION
	Handler string // the template's Handler
	// ARN is every INVOKE event's invokedFunctionArn; its account is the
	// register answer's accountId.
	ARN string
}

// account is the ARN's account field
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html).
func (f Function) account() string {
	parts := strings.Split(f.ARN, ":")
	if len(parts) < 5 {
		return ""
	}
	return parts[4]
}

// MaxExtensions is how many extensions one function may register
// (https://docs.aws.amazon.com/lambda/latest/dg/runtimes-extensions-api.html#runtimes-extensions-api-reg).
const MaxExtensions = 10

// ErrClosed means the server was closed: its environment is gone.
var ErrClosed = errors.New("extapi: execution environment closed")

// Server is the Extensions API of one execution environment.
type Server struct {
	fn Function
	hs *http.Server
	ln net.Listener

	mu   sync.Mutex
	exts []*extension // registration order
	byID map[string]*extension
	// registrationClosed: the runtime has finished its init.
	registrationClosed bool
	closed             bool
	// changed is closed and replaced at every change of the above, waking
	// whoever waits on a condition of them.
	changed chan struct{}
}

// Start serves the API on a free port of 127.0.0.1 for one execution
// environment of fn.
func Start(fn Function) (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("extapi: listen: %w", err)
	}
	s := &Server{fn: fn, ln: ln, byID: map[string]*extension{}, changed: make(chan struct{})}
	mux := http.NewServeMux()
	s.Routes(mux)
	// No write timeout: Next blocks until the next invocation ("Do not set
	// a timeout on the GET call", the docs tell extensions).
	s.hs = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.hs.Serve(ln) }()
	return s, nil
}

// Routes adds the API's routes to mux too, for an emulator that serves
// the Runtime API at the same address, as Lambda does.
func (s *Server) Routes(mux *http.ServeMux) {
	mux.HandleFunc("POST /2020-01-01/extension/register", s.register)
	mux.HandleFunc("GET /2020-01-01/extension/event/next", s.next)
}

// Addr is host:port, what Lambda puts in AWS_LAMBDA_RUNTIME_API.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Close ends the environment: blocked Next calls answer 500 (the docs'
// "Container error. Non-recoverable state. Extension should exit
// promptly"), later requests find nothing listening, and Invoke and
// Settled return ErrClosed. Closing twice is harmless.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.broadcastLocked()
	s.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return s.hs.Shutdown(ctx)
}

// broadcastLocked wakes every waiter; s.mu is held.
func (s *Server) broadcastLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// awaitLocked waits, s.mu held on entry and on return, until ok() holds,
// the server closes (ErrClosed) or ctx ends (ctx.Err()).
func (s *Server) awaitLocked(ctx context.Context, ok func() bool) error {
	for {
		if s.closed {
			return ErrClosed
		}
		if ok() {
			return nil
		}
		ch := s.changed
		s.mu.Unlock()
		select {
		case <-ch:
			s.mu.Lock()
		case <-ctx.Done():
			s.mu.Lock()
			return ctx.Err()
		}
	}
}
