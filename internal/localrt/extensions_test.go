package localrt_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/keymint/keymint/internal/extapi"
	"github.com/keymint/keymint/internal/localrt"
)

// testExtension is the test's own internal extension: a few lines of
// net/http against the Extensions API.
type testExtension struct {
	base, id string
}

func registerExtension(t *testing.T, env *extapi.Server) testExtension {
	t.Helper()
	base := "http://" + env.Addr() + "/2020-01-01/extension/"
	req, _ := http.NewRequest(http.MethodPost, base+"register", strings.NewReader(`{"events":["INVOKE"]}`))
	req.Header.Set("Lambda-Extension-Name", "test")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("register: %s", resp.Status)
	}
	return testExtension{base: base, id: resp.Header.Get("Lambda-Extension-Identifier")}
}

type invokeEvent struct {
	EventType          string `json:"eventType"`
	DeadlineMs         int64  `json:"deadlineMs"`
	RequestID          string `json:"requestId"`
	InvokedFunctionArn string `json:"invokedFunctionArn"`
}

// next sends Next in the background; its event arrives on the channel.
func (e testExtension) next() <-chan invokeEvent {
	ch := make(chan invokeEvent, 1)
	go func() {
		req, _ := http.NewRequest(http.MethodGet, e.base+"event/next", nil)
		req.Header.Set("Lambda-Extension-Identifier", e.id)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return
		}
		defer resp.Body.Close()
		var ev invokeEvent
		if resp.StatusCode == http.StatusOK && json.NewDecoder(resp.Body).Decode(&ev) == nil {
			ch <- ev
		}
	}()
	return ch
}

func startEnv(t *testing.T, id string) *extapi.Server {
	t.Helper()
	env, err := extapi.Start(extapi.Function{Name: id, Version: localrt.FunctionVersion, Handler: "bootstrap", ARN: localrt.ARN(id)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = env.Close() })
	return env
}

// With an Env, Invoke sends its extensions the invocation's own request
// id, deadline and ARN, and answers without waiting for them.
func TestInvokeThroughEnv(t *testing.T) {
	t.Parallel()
	env := startEnv(t, "ValidateFunction")
	ext := registerExtension(t, env)
	events := ext.next()
	var lc *lambdacontext.LambdaContext
	var deadline time.Time
	h := lambda.NewHandler(func(ctx context.Context) (string, error) {
		lc, _ = lambdacontext.FromContext(ctx)
		deadline, _ = ctx.Deadline()
		return "ok", nil
	})
	target := localrt.Target{ID: "ValidateFunction", Handler: h, Timeout: time.Minute, Env: env}
	out, err := localrt.Invoke(context.Background(), target, []byte(`{}`))
	if err != nil || string(out) != `"ok"` {
		t.Fatalf("Invoke = %s, %v", out, err)
	}
	var ev invokeEvent
	select {
	case ev = <-events:
	case <-time.After(5 * time.Second):
		t.Fatal("the extension got no INVOKE event")
	}
	tests := []struct{ field, got, want string }{
		{"eventType", ev.EventType, "INVOKE"},
		{"requestId", ev.RequestID, lc.AwsRequestID},
		{"invokedFunctionArn", ev.InvokedFunctionArn, localrt.ARN("ValidateFunction")},
		{"deadlineMs", fmt.Sprint(ev.DeadlineMs), fmt.Sprint(deadline.UnixMilli())},
	}
	for _, tc := range tests {
		if tc.got != tc.want || tc.got == "" {
			t.Errorf("%s = %q, want %q", tc.field, tc.got, tc.want)
		}
	}
	// The extension holds its event: the invocation is not settled.
	short, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if err := target.Settled(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Settled while the extension works: %v, want DeadlineExceeded", err)
	}
	ext.next()
	long, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := target.Settled(long); err != nil {
		t.Errorf("Settled after the extension's Next: %v", err)
	}
}

func TestInvokeEnvFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		setup    func(t *testing.T, env *extapi.Server)
		wantType string
	}{
		// Init does not end while an extension has not called Next: the
		// first invocation times out, as on Lambda.
		{"init never ends", func(t *testing.T, env *extapi.Server) { registerExtension(t, env) }, localrt.ErrorTypeTimeout},
		{"environment closed", func(_ *testing.T, env *extapi.Server) { _ = env.Close() }, localrt.ErrorTypeEnvironment},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := startEnv(t, "F")
			tc.setup(t, env)
			ran := false
			h := lambda.NewHandler(func() error { ran = true; return nil })
			_, err := localrt.Invoke(context.Background(), localrt.Target{ID: "F", Handler: h, Timeout: 200 * time.Millisecond, Env: env}, []byte(`{}`))
			var fe *localrt.FunctionError
			if !errors.As(err, &fe) || fe.Type != tc.wantType {
				t.Fatalf("err = %v, want a %s", err, tc.wantType)
			}
			if ran {
				t.Error("the handler ran")
			}
		})
	}
}

// Without an Env there is nothing to wait for.
func TestSettledWithoutEnv(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := (localrt.Target{ID: "F"}).Settled(ctx); err != nil {
		t.Errorf("Settled = %v", err)
	}
}
