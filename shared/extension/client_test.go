package extension_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/keymint/keymint/shared/extension"
)

// A server that closes the connection after an answer (Connection: close)
// gets the next request on a new one.
func TestClientRedialsAfterTheServerCloses(t *testing.T) {
	t.Parallel()
	var conns atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/extension/register"):
			w.Header().Set("Lambda-Extension-Identifier", "0c8b4a3e-8d6b-4d7e-9f4a-2b1c3d4e5f60")
			w.Header().Set("Connection", "close")
			_, _ = w.Write([]byte(`{"functionName":"f","functionVersion":"$LATEST","handler":"bootstrap"}`))
		case r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/extension/event/next"):
			if r.Header.Get("Lambda-Extension-Identifier") != "0c8b4a3e-8d6b-4d7e-9f4a-2b1c3d4e5f60" {
				w.WriteHeader(http.StatusForbidden)
				return
			}
			_, _ = w.Write([]byte(`{"eventType":"INVOKE","deadlineMs":1700000000000,"requestId":"r1"}`))
		default:
			w.WriteHeader(http.StatusNotFound)
		}
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	c, err := extension.Register(context.Background(), strings.TrimPrefix(srv.URL, "http://"), "x")
	if err != nil {
		t.Fatal(err)
	}
	ev, err := c.Next(context.Background())
	if err != nil || ev.Type != extension.EventInvoke || ev.RequestID != "r1" || ev.DeadlineMs != 1700000000000 {
		t.Fatalf("next: %+v %v", ev, err)
	}
	if n := conns.Load(); n != 2 {
		t.Errorf("%d connections, want 2 (one closed by the server after register)", n)
	}
}

// Cancelling Next's context ends a wait that would otherwise last until
// the next invocation.
func TestNextEndsWithItsContext(t *testing.T) {
	t.Parallel()
	s := startAPI(t)
	c := register(t, s)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := c.Next(ctx) // ends Init, then waits for an invocation
		if err == nil {
			_, err = c.Next(ctx)
		}
		done <- err
	}()
	time.Sleep(50 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		if err == nil || errors.As(err, new(*extension.APIError)) {
			t.Fatalf("err = %v, want the wait cut off", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Next outlived its context")
	}
}
