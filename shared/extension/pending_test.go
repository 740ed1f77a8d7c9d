package extension_test

import (
	"errors"
	"net"
	"slices"
	"testing"
	"time"

	"github.com/keymint/keymint/shared/extension"
)

// Begin registers in the background: by the time the caller has done
// other work, the registration is done and Wait does not wait for it.
// Its outcome is the registration's: a client for INVOKE events, or the
// error a refused or unreachable Extensions API gives.
func TestBeginRegistersWhileTheCallerWorks(t *testing.T) {
	t.Parallel()
	api := startAPI(t)
	p := extension.Begin(api.Addr(), "begun", time.Second)
	deadline := time.Now().Add(5 * time.Second)
	for len(api.Extensions()) == 0 { // the caller's other work
		if time.Now().After(deadline) {
			t.Fatal("Begin did not register in the background")
		}
		time.Sleep(time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond) // the answer reaches the client
	c, took, waited, err := p.Wait()
	if err != nil || c == nil {
		t.Fatalf("Wait: client %v, error %v", c, err)
	}
	if took <= 0 || waited > 10*time.Millisecond {
		t.Errorf("took %v, waited %v: want a registration that took time and a Wait that did not", took, waited)
	}
	if got := api.Extensions(); len(got) != 1 || got[0].Name != "begun" || !slices.Equal(got[0].Events, []string{extension.EventInvoke}) {
		t.Errorf("registered %+v", got)
	}
}

func TestBeginReportsAFailedRegistration(t *testing.T) {
	t.Parallel()
	t.Run("refused after Init", func(t *testing.T) {
		t.Parallel()
		api := startAPI(t)
		api.RuntimeReady() // Init is over: Lambda refuses registrations
		_, _, _, err := extension.Begin(api.Addr(), "late", time.Second).Wait()
		var apiErr *extension.APIError
		if !errors.As(err, &apiErr) || apiErr.Op != "register" {
			t.Fatalf("error %v, want the Extensions API's refusal", err)
		}
	})
	t.Run("nothing listening", func(t *testing.T) {
		t.Parallel()
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		_ = ln.Close()
		c, _, _, err := extension.Begin(addr, "none", time.Second).Wait()
		if err == nil || c != nil {
			t.Fatalf("client %v, error %v: want an error", c, err)
		}
	})
}
