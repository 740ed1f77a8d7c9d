package extapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/keymint/keymint/internal/extapi"
)

var fn = extapi.Function{
	Name:    "ValidateFunction",
	Version: "$LATEST",
	Handler: "bootstrap",
	ARN:     "arn:aws:lambda:us-east-1:123456789012:function:ValidateFunction",
}

var (
	uuidRE  = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	traceRE = regexp.MustCompile(`^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0$`)
)

func start(t *testing.T) *extapi.Server {
	t.Helper()
	s, err := extapi.Start(fn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// answer is one HTTP answer of the API, body decoded.
type answer struct {
	status int
	header http.Header
	body   map[string]any
}

func (a answer) errorType() string { s, _ := a.body["errorType"].(string); return s }

// do is the test's own extension client: one request, no timeout but
// ctx. It reports through its error only, as it also runs in goroutines.
func do(ctx context.Context, method, url string, header map[string]string, body string) (answer, error) {
	req, err := http.NewRequestWithContext(ctx, method, url, strings.NewReader(body))
	if err != nil {
		return answer{}, err
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return answer{}, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return answer{}, err
	}
	a := answer{status: resp.StatusCode, header: resp.Header}
	if err := json.Unmarshal(raw, &a.body); err != nil {
		return a, fmt.Errorf("%s %s answered %d with a body that is not a JSON object: %q", method, url, resp.StatusCode, raw)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		return a, fmt.Errorf("%s %s answered Content-Type %q, want application/json", method, url, ct)
	}
	return a, nil
}

func register(t *testing.T, s *extapi.Server, header map[string]string, body string) answer {
	t.Helper()
	a, err := do(context.Background(), http.MethodPost, "http://"+s.Addr()+"/2020-01-01/extension/register", header, body)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// mustRegister registers name for INVOKE and returns its identifier.
func mustRegister(t *testing.T, s *extapi.Server, name string) string {
	t.Helper()
	a := register(t, s, map[string]string{"Lambda-Extension-Name": name}, `{"events":["INVOKE"]}`)
	id := a.header.Get("Lambda-Extension-Identifier")
	if a.status != http.StatusOK || id == "" {
		t.Fatalf("register %s: %d %v", name, a.status, a.body)
	}
	return id
}

func next(ctx context.Context, s *extapi.Server, id string) (answer, error) {
	return do(ctx, http.MethodGet, "http://"+s.Addr()+"/2020-01-01/extension/event/next", map[string]string{"Lambda-Extension-Identifier": id}, "")
}

// nextAsync sends Next and delivers its answer on the returned channel.
func nextAsync(s *extapi.Server, id string) <-chan answer {
	ch := make(chan answer, 1)
	go func() {
		a, err := next(context.Background(), s, id)
		if err != nil {
			a = answer{status: -1, body: map[string]any{"err": err.Error()}}
		}
		ch <- a
	}()
	return ch
}

func waitCtx(t *testing.T, d time.Duration) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// settle waits until every extension is blocked in Next with nothing queued.
func settle(t *testing.T, s *extapi.Server) {
	t.Helper()
	if err := s.Settled(waitCtx(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
}

func TestRegister(t *testing.T) {
	t.Parallel()
	name := map[string]string{"Lambda-Extension-Name": "usage"}
	tests := []struct {
		name       string
		header     map[string]string
		body       string
		wantStatus int
		wantType   string // errorType of a refusal
		wantEvents []string
		wantAcct   string
	}{
		{"invoke", name, `{"events":["INVOKE"]}`, 200, "", []string{"INVOKE"}, ""},
		{"no events", name, `{}`, 200, "", nil, ""},
		{"account id asked for", map[string]string{"Lambda-Extension-Name": "usage", "Lambda-Extension-Accept-Feature": "other, accountId"},
			`{"events":["INVOKE"]}`, 200, "", []string{"INVOKE"}, "123456789012"},
		{"no name", nil, `{"events":["INVOKE"]}`, 403, "Extension.InvalidExtensionName", nil, ""},
		{"empty body", name, ``, 403, "InvalidRequestFormat", nil, ""},
		{"not JSON", name, `{"events":`, 403, "InvalidRequestFormat", nil, ""},
		{"events not a list", name, `{"events":"INVOKE"}`, 403, "InvalidRequestFormat", nil, ""},
		{"configurationKeys", name, `{"events":["INVOKE"],"configurationKeys":["k"]}`, 403, "InvalidRequestFormat", nil, ""},
		{"unknown event", name, `{"events":["INVOKE","RESTORE"]}`, 403, "Extension.InvalidEventType", nil, ""},
		{"shutdown", name, `{"events":["INVOKE","SHUTDOWN"]}`, 403, "Extension.InvalidEventType", nil, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := start(t)
			a := register(t, s, tc.header, tc.body)
			if a.status != tc.wantStatus {
				t.Fatalf("status %d, want %d (%v)", a.status, tc.wantStatus, a.body)
			}
			got := s.Extensions()
			if tc.wantStatus != http.StatusOK {
				if a.errorType() != tc.wantType || a.body["errorMessage"] == "" {
					t.Errorf("body %v, want errorType %s and a message", a.body, tc.wantType)
				}
				if len(got) != 0 || a.header.Get("Lambda-Extension-Identifier") != "" {
					t.Errorf("a refused registration registered: %v", got)
				}
				return
			}
			if id := a.header.Get("Lambda-Extension-Identifier"); !uuidRE.MatchString(id) {
				t.Errorf("Lambda-Extension-Identifier %q is not a UUID", id)
			}
			want := map[string]any{"functionName": fn.Name, "functionVersion": fn.Version, "handler": fn.Handler}
			if tc.wantAcct != "" {
				want["accountId"] = tc.wantAcct
			}
			if fmt.Sprint(a.body) != fmt.Sprint(want) {
				t.Errorf("body %v, want %v", a.body, want)
			}
			if len(got) != 1 || got[0].Name != "usage" || !slices.Equal(got[0].Events, tc.wantEvents) {
				t.Errorf("Extensions() = %+v", got)
			}
		})
	}
}

// Register is open during Init only, to 10 extensions of distinct names.
func TestRegisterRefusedByState(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		before   func(t *testing.T, s *extapi.Server)
		wantType string
		wantN    int // extensions registered before the refused one
	}{
		{"eleventh extension", func(t *testing.T, s *extapi.Server) {
			for i := range extapi.MaxExtensions {
				mustRegister(t, s, fmt.Sprintf("ext%d", i))
			}
		}, "Extension.TooManyExtensions", extapi.MaxExtensions},
		{"name taken", func(t *testing.T, s *extapi.Server) { mustRegister(t, s, "x") }, "Extension.InvalidExtensionState", 1},
		{"after the runtime's init", func(_ *testing.T, s *extapi.Server) { s.RuntimeReady() }, "Extension.RegistrationClosed", 0},
		{"after the first invocation", func(t *testing.T, s *extapi.Server) {
			if err := s.Invoke(waitCtx(t, 5*time.Second), "r1", time.Now().Add(time.Second), func() {}); err != nil {
				t.Fatal(err)
			}
		}, "Extension.RegistrationClosed", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := start(t)
			tc.before(t, s)
			a := register(t, s, map[string]string{"Lambda-Extension-Name": "x"}, `{"events":["INVOKE"]}`)
			if a.status != http.StatusForbidden || a.errorType() != tc.wantType {
				t.Fatalf("%d %v, want 403 %s", a.status, a.body, tc.wantType)
			}
			if n := len(s.Extensions()); n != tc.wantN {
				t.Errorf("%d extensions registered, want %d", n, tc.wantN)
			}
		})
	}
}

func TestNextRefusesUnknownExtension(t *testing.T) {
	t.Parallel()
	s := start(t)
	mustRegister(t, s, "usage")
	tests := []struct{ name, id, wantType string }{
		{"no identifier", "", "Extension.MissingExtensionIdentifier"},
		{"not a UUID", "usage", "Extension.InvalidExtensionIdentifier"},
		{"unknown UUID", "3da1f2dc-3222-475e-9205-e2e6c6318895", "Extension.UnknownExtensionIdentifier"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, err := next(waitCtx(t, 5*time.Second), s, tc.id)
			if err != nil {
				t.Fatal(err)
			}
			if a.status != http.StatusForbidden || a.errorType() != tc.wantType {
				t.Errorf("%d %v, want 403 %s", a.status, a.body, tc.wantType)
			}
		})
	}
}

// An INVOKE event carries what the docs list, to extensions registered for
// INVOKE only.
func TestInvokeDeliversEvent(t *testing.T) {
	t.Parallel()
	s := start(t)
	id := mustRegister(t, s, "usage")
	quiet := register(t, s, map[string]string{"Lambda-Extension-Name": "quiet"}, `{}`).header.Get("Lambda-Extension-Identifier")
	got := nextAsync(s, id)
	quietGot := nextAsync(s, quiet)
	deadline := time.Now().Add(3 * time.Second).Truncate(time.Millisecond)
	ran := false
	if err := s.Invoke(waitCtx(t, 5*time.Second), "req-1", deadline, func() { ran = true }); err != nil {
		t.Fatal(err)
	}
	if !ran {
		t.Fatal("Invoke did not run the runtime's part")
	}
	var a answer
	select {
	case a = <-got:
	case <-time.After(5 * time.Second):
		t.Fatal("no INVOKE event")
	}
	if a.status != http.StatusOK {
		t.Fatalf("next: %d %v", a.status, a.body)
	}
	if eid := a.header.Get("Lambda-Extension-Event-Identifier"); !uuidRE.MatchString(eid) {
		t.Errorf("Lambda-Extension-Event-Identifier %q is not a UUID", eid)
	}
	tests := []struct {
		field string
		want  any
	}{
		{"eventType", "INVOKE"},
		{"deadlineMs", float64(deadline.UnixMilli())},
		{"requestId", "req-1"},
		{"invokedFunctionArn", fn.ARN},
	}
	for _, tc := range tests {
		if a.body[tc.field] != tc.want {
			t.Errorf("%s = %v, want %v", tc.field, a.body[tc.field], tc.want)
		}
	}
	tr, _ := a.body["tracing"].(map[string]any)
	if tr["type"] != "X-Amzn-Trace-Id" || !traceRE.MatchString(fmt.Sprint(tr["value"])) {
		t.Errorf("tracing = %v", a.body["tracing"])
	}
	select {
	case q := <-quietGot:
		t.Errorf("an extension registered for no event got %v", q.body)
	default:
	}
	// usage calls Next again: the environment settles.
	_ = nextAsync(s, id)
	settle(t, s)
}

// The first invocation waits for Init: every extension's first Next.
func TestInvokeWaitsForInit(t *testing.T) {
	t.Parallel()
	s := start(t)
	id := mustRegister(t, s, "late")
	ran := false
	err := s.Invoke(waitCtx(t, 100*time.Millisecond), "r1", time.Now().Add(time.Second), func() { ran = true })
	if !errors.Is(err, context.DeadlineExceeded) || ran {
		t.Fatalf("Invoke before the extension's first Next: err %v, ran %v; want DeadlineExceeded, not run", err, ran)
	}
	got := nextAsync(s, id)
	if err := s.Invoke(waitCtx(t, 5*time.Second), "r2", time.Now().Add(time.Second), func() { ran = true }); err != nil || !ran {
		t.Fatalf("Invoke after Init: err %v, ran %v", err, ran)
	}
	if a := <-got; a.body["requestId"] != "r2" {
		t.Errorf("event %v, want r2's", a.body)
	}
}

// Invoke returns with the runtime; Settled waits for the extension.
func TestSettledWaitsForExtensionWork(t *testing.T) {
	t.Parallel()
	s := start(t)
	id := mustRegister(t, s, "usage")
	got := nextAsync(s, id)
	settle(t, s)
	returned := make(chan struct{})
	go func() {
		defer close(returned)
		if err := s.Invoke(waitCtx(t, 5*time.Second), "r1", time.Now().Add(time.Minute), func() {}); err != nil {
			t.Error(err)
		}
	}()
	select {
	case <-returned:
	case <-time.After(5 * time.Second):
		t.Fatal("Invoke waited for the extension")
	}
	// Not settled from the moment Invoke returns, whether or not the
	// extension has taken its event yet.
	err := s.Settled(waitCtx(t, 100*time.Millisecond))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Settled right after Invoke: %v, want DeadlineExceeded", err)
	}
	<-got // the extension has its event and works, not calling Next
	err = s.Settled(waitCtx(t, 100*time.Millisecond))
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "usage") {
		t.Fatalf("Settled while the extension works: %v, want DeadlineExceeded naming usage", err)
	}
	_ = nextAsync(s, id) // done
	settle(t, s)
}

// Concurrent invocations queue their events per extension, in order,
// each delivered once.
func TestEventsQueueUnderConcurrentInvokes(t *testing.T) {
	t.Parallel()
	s := start(t)
	id := mustRegister(t, s, "usage")
	first := nextAsync(s, id)
	settle(t, s)
	// While the extension holds the first event, three more queue in order.
	for _, r := range []string{"r0", "r1", "r2", "r3"} {
		if err := s.Invoke(waitCtx(t, 5*time.Second), r, time.Now().Add(time.Minute), func() {}); err != nil {
			t.Fatal(err)
		}
	}
	order := []string{fmt.Sprint((<-first).body["requestId"])}
	for range 3 {
		a, err := next(waitCtx(t, 5*time.Second), s, id)
		if err != nil {
			t.Fatal(err)
		}
		order = append(order, fmt.Sprint(a.body["requestId"]))
	}
	if want := []string{"r0", "r1", "r2", "r3"}; !slices.Equal(order, want) {
		t.Errorf("events in order %v, want %v", order, want)
	}
	// Now from 20 goroutines at once, the extension draining as they come.
	const n = 20
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			if err := s.Invoke(waitCtx(t, 5*time.Second), fmt.Sprintf("c%d", i), time.Now().Add(time.Minute), func() {}); err != nil {
				t.Error(err)
			}
		})
	}
	seen := map[string]int{}
	for range n {
		a, err := next(waitCtx(t, 5*time.Second), s, id)
		if err != nil {
			t.Fatal(err)
		}
		seen[fmt.Sprint(a.body["requestId"])]++
	}
	wg.Wait()
	for i := range n {
		if r := fmt.Sprintf("c%d", i); seen[r] != 1 {
			t.Errorf("%s delivered %d times", r, seen[r])
		}
	}
	_ = nextAsync(s, id)
	settle(t, s)
}

// Close ends a blocked Next with the docs' container error, and the
// environment is gone for everyone after.
func TestCloseEndsBlockedNext(t *testing.T) {
	t.Parallel()
	s := start(t)
	id := mustRegister(t, s, "usage")
	got := nextAsync(s, id)
	settle(t, s)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case a := <-got:
		if a.status != http.StatusInternalServerError || a.errorType() != "InternalServerError" {
			t.Errorf("blocked Next after Close: %d %v, want 500", a.status, a.body)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close left Next blocked")
	}
	if _, err := next(waitCtx(t, 5*time.Second), s, id); err == nil {
		t.Error("Next after Close reached a server")
	}
	if err := s.Invoke(waitCtx(t, 5*time.Second), "r", time.Now(), func() {}); !errors.Is(err, extapi.ErrClosed) {
		t.Errorf("Invoke after Close: %v, want ErrClosed", err)
	}
	if err := s.Settled(waitCtx(t, 5*time.Second)); !errors.Is(err, extapi.ErrClosed) {
		t.Errorf("Settled after Close: %v, want ErrClosed", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

// Received waits until every extension has taken its event, and no longer.
func TestReceivedWaitsForTheEventToBeTaken(t *testing.T) {
	t.Parallel()
	s := start(t)
	id := mustRegister(t, s, "usage")
	_ = nextAsync(s, id) // ends Init
	settle(t, s)
	var got <-chan answer
	invoked := make(chan struct{})
	go func() {
		defer close(invoked)
		if err := s.Invoke(waitCtx(t, 5*time.Second), "r1", time.Now().Add(time.Minute), func() {}); err != nil {
			t.Error(err)
		}
	}()
	<-invoked
	// The first Next already waits: it takes the event at once.
	if err := s.Received(waitCtx(t, 5*time.Second)); err != nil {
		t.Fatalf("Received with the extension waiting in Next: %v", err)
	}
	// A second event waits until the extension asks for it.
	go func() { _ = s.Invoke(waitCtx(t, 5*time.Second), "r2", time.Now().Add(time.Minute), func() {}) }()
	time.Sleep(50 * time.Millisecond)
	if err := s.Received(waitCtx(t, 100*time.Millisecond)); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Received before the extension asked for its event: %v, want DeadlineExceeded", err)
	}
	got = nextAsync(s, id)
	if err := s.Received(waitCtx(t, 5*time.Second)); err != nil {
		t.Fatalf("Received after the extension asked: %v", err)
	}
	<-got
}
