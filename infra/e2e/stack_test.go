package e2e_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/keymint/keymint/internal/faultproxy"
	"github.com/keymint/keymint/internal/localapi"
	"github.com/keymint/keymint/internal/localfn"
	"github.com/keymint/keymint/internal/localgw"
	"github.com/keymint/keymint/internal/localrt"
	"github.com/keymint/keymint/internal/stack"
	"github.com/keymint/keymint/internal/testkit"
	"github.com/keymint/keymint/shared/token"
)

func TestMain(m *testing.M) { testkit.MainLocalAWS(m) }

// localStack is keymint as `make run` serves it, on a fresh table: its
// management API at url, the example orders API at example.
type localStack struct {
	t       *testing.T
	url     string
	example string
	// rest is the example REST API's stage (…/v1), metered by its usage
	// plans on gw's API keys; restNow, when set, is its clock.
	rest    string
	gw      *localgw.Server
	restNow *atomic.Pointer[time.Time]
	db      *dynamodb.Client
	table   string
	fns     map[string]localrt.Target
	admin   string // bootstrap admin token, owner "admin"
	logs    *testkit.Buffer
}

type stackOptions struct {
	// endpoint the functions use for DynamoDB: DynamoDB Local, or a fault
	// proxy in front of it.
	endpoint string
	// env overrides every function's declared variables.
	env map[string]string
	// timeout, when set, replaces the management functions' timeouts
	// (validate keeps its own), so faults that wait out a deadline wait less.
	timeout time.Duration
}

// loadTemplate reads the repository's template.yaml as the local stack does.
func loadTemplate(t *testing.T) *stack.Stack {
	t.Helper()
	root, err := testkit.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	st, err := localrt.LoadStack(filepath.Join(root, "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func newLocalStack(t *testing.T, o stackOptions) *localStack {
	t.Helper()
	db, table := testkit.NewTable(t)
	st := loadTemplate(t)
	dir := t.TempDir()
	if _, err := localrt.EnsureKeyring(filepath.Join(dir, "keyring.json")); err != nil {
		t.Fatal(err)
	}
	if o.endpoint == "" {
		o.endpoint = testkit.Endpoint()
	}
	params := map[string]string{"TABLE_NAME": table}
	for k, v := range o.env {
		params[k] = v
	}
	ctx := context.Background()
	// API Gateway's control plane, where owners' API keys go (plans with
	// usage plans), and whose keys the REST API's usage plans meter.
	gw := localgw.New(localgw.Stages(st), nil)
	gws := httptest.NewServer(gw)
	t.Cleanup(gws.Close)
	fns, err := localfn.Build(ctx, st, localrt.EnvOptions{Endpoint: o.endpoint, LocalDir: dir, Overrides: map[string]map[string]string{"Parameters": params},
		APIGatewayEndpoint: gws.URL})
	if err != nil {
		t.Fatal(err)
	}
	// Registered before the API servers' cleanups, so it runs after them.
	t.Cleanup(func() {
		if err := fns.Close(); err != nil {
			t.Error(err)
		}
	})
	for id, f := range fns {
		if o.timeout > 0 && id != "ValidateFunction" {
			f.Timeout = o.timeout
			fns[id] = f
		}
	}
	logs := &testkit.Buffer{}
	serve := func(apiID string) string {
		srv, err := localapi.New(localapi.Config{API: st.APIs[apiID], Functions: fns, Log: slog.New(token.Masking(slog.NewJSONHandler(logs, nil)))})
		if err != nil {
			t.Fatal(err)
		}
		hs := httptest.NewServer(srv)
		t.Cleanup(hs.Close)
		return hs.URL
	}
	s := &localStack{t: t, url: serve("KeymintApi"), example: serve("ExampleApi"), db: db, table: table, fns: fns, logs: logs, gw: gw, restNow: &atomic.Pointer[time.Time]{}}
	rest, err := localapi.NewRest(localapi.RestConfig{API: st.RestAPIs["ExampleRestApi"], Functions: fns, Plans: st.UsagePlans, UsagePlans: gw,
		Log: slog.New(token.Masking(slog.NewJSONHandler(logs, nil))), Now: func() time.Time {
			if at := s.restNow.Load(); at != nil {
				return *at
			}
			return time.Now()
		}})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(rest)
	t.Cleanup(hs.Close)
	s.rest = hs.URL + "/" + st.RestAPIs["ExampleRestApi"].StageName
	if o.env["TOKENS_REQUIRE_ENABLEMENT"] == "true" {
		// As `make admin` does: the bootstrap owner is enabled first, by
		// the RevokeFunction's ops direct invoke.
		if _, err := localrt.Invoke(ctx, fns["RevokeFunction"], []byte(`{"owner":"admin","status":"active"}`)); err != nil {
			t.Fatalf("enable the admin owner: %v", err)
		}
	}
	s.admin = s.opsIssue(map[string]any{"owner": "admin", "name": "root", "scopes": []string{"tokens:admin"}})["token"].(string)
	return s
}

// newFaultStack is a local stack whose functions reach DynamoDB Local
// through a fault-injecting proxy.
func newFaultStack(t *testing.T, env map[string]string, timeout time.Duration) (*localStack, *faultproxy.Proxy) {
	t.Helper()
	proxy, err := faultproxy.New(testkit.Endpoint())
	if err != nil {
		t.Fatal(err)
	}
	endpoint, err := proxy.Listen()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = proxy.Close() })
	return newLocalStack(t, stackOptions{endpoint: endpoint, env: env, timeout: timeout}), proxy
}

// opsIssue issues by IssueFunction's direct invoke (the ops path), as
// ops should (invokeIssue), and stops the test if it fails.
func (s *localStack) opsIssue(body map[string]any) map[string]any {
	s.t.Helper()
	v, err := s.invokeIssue(body)
	if err != nil {
		s.t.Fatalf("ops issue %v: %v", body, err)
	}
	return v
}

// invokeIssue issues by IssueFunction's direct invoke, retrying while the
// answer says the table did not answer in time (a loaded machine can make
// a try miss the function's deadline). A retry cannot recover the first
// try's token: a replay of its idempotency key answers without the secret,
// which is the point of it. So each try is a new request, under a name of
// its own ("<name>-retry<N>"), and a token a failed try may have left is
// left alone. It may run on any goroutine.
func (s *localStack) invokeIssue(body map[string]any) (map[string]any, error) {
	var (
		out []byte
		err error
	)
	for try := 0; try < 3; try++ {
		b := maps.Clone(body)
		b["idempotencyKey"] = localrt.RequestID()
		if try > 0 {
			b["name"] = fmt.Sprintf("%v-retry%d", body["name"], try)
		}
		raw, _ := json.Marshal(b)
		out, err = localrt.Invoke(context.Background(), s.fns["IssueFunction"], raw)
		var fe *localrt.FunctionError
		if !errors.As(err, &fe) || (fe.Type != "OutcomeUnknown" && fe.Type != "Unavailable") {
			break
		}
	}
	if err != nil {
		return nil, err
	}
	var v map[string]any
	if err := json.Unmarshal(out, &v); err != nil {
		return nil, fmt.Errorf("issue answer %s: %w", out, err)
	}
	if tok, _ := v["token"].(string); tok == "" {
		return nil, fmt.Errorf("issue answer without a token: %s", out)
	}
	return v, nil
}

type reply struct {
	status int
	header http.Header
	body   []byte
}

func (r reply) json(t *testing.T) map[string]any {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal(r.body, &v); err != nil {
		t.Fatalf("status %d, body not JSON: %s", r.status, r.body)
	}
	return v
}

// do sends one HTTP request to the local management API. token "" sends
// no Authorization header; headers may add more.
func (s *localStack) do(method, path, token string, body any, headers map[string]string) reply {
	s.t.Helper()
	return s.doAt(s.url, method, path, token, body, headers)
}

// doAt is do on the API at base (s.url or s.example).
func (s *localStack) doAt(base, method, path, token string, body any, headers map[string]string) reply {
	s.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = bytes.NewBufferString(b)
	default:
		raw, _ := json.Marshal(b)
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, base+path, rd)
	if err != nil {
		s.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return reply{status: resp.StatusCode, header: resp.Header, body: b}
}
