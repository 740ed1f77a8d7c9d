package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/keymint/keymint/shared/app"

	"github.com/aws/aws-lambda-go/events"
	"github.com/keymint/keymint/internal/localapi"
	"github.com/keymint/keymint/internal/localfn"
	"github.com/keymint/keymint/internal/localrt"
	"github.com/keymint/keymint/internal/testkit"
)

// whoamiStacks are two local APIs on one table, as `make run` serves it
// (infra/e2e's newLocalStack, trimmed): one with keymint's ValidateFunction
// as the authorizer, one whose authorizer allows everything with the same
// context.
type whoamiStacks struct {
	keymint, allow string // base URLs
	token          string // tokens:read, owner bench
	tokenID        string
}

func newWhoamiStacks(b *testing.B) whoamiStacks {
	b.Helper()
	_, table := testkit.NewTable(b)
	root, err := testkit.RepoRoot()
	if err != nil {
		b.Fatal(err)
	}
	st, err := localrt.LoadStack(filepath.Join(root, "template.yaml"))
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	if _, err := localrt.EnsureKeyring(filepath.Join(dir, "keyring.json")); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	var fns localfn.Functions
	// VALIDATE_CACHE_TTL and LAST_USED_INTERVAL stay at the template's
	// defaults (2s, 5m).
	discardStdout(b, func() {
		fns, err = localfn.Build(ctx, st, localrt.EnvOptions{
			Endpoint: testkit.Endpoint(), LocalDir: dir,
			Overrides: map[string]map[string]string{"Parameters": {"TABLE_NAME": table}},
		})
	})
	if err != nil {
		b.Fatal(err)
	}
	// Registered before the API servers' cleanups, so it runs after them.
	b.Cleanup(func() {
		if err := fns.Close(); err != nil {
			b.Error(err)
		}
	})
	req, _ := json.Marshal(map[string]any{"owner": "bench", "name": "whoami", "scopes": []string{"tokens:read"}})
	out, err := localrt.Invoke(ctx, fns["IssueFunction"], req)
	if err != nil {
		b.Fatal(err)
	}
	var issued struct {
		Token string `json:"token"`
		ID    string `json:"id"`
	}
	if err := json.Unmarshal(out, &issued); err != nil || issued.Token == "" || issued.ID == "" {
		b.Fatalf("issue answered %s (%v)", out, err)
	}

	api := st.APIs["KeymintApi"]
	authz := ""
	for _, r := range api.Routes {
		if r.Key() == "GET /whoami" {
			authz = api.Authorizers[r.Authorizer].Function
		}
	}
	if authz == "" {
		b.Fatal("template: GET /whoami has no Lambda authorizer")
	}
	allowFns := maps.Clone(fns)
	allowFns[authz] = constantAllow(b, fns[authz], issued.Token)

	serve := func(fns map[string]localrt.Target) string {
		srv, err := localapi.New(localapi.Config{API: api, Functions: fns, Log: slog.New(slog.NewJSONHandler(io.Discard, nil))})
		if err != nil {
			b.Fatal(err)
		}
		hs := httptest.NewServer(srv)
		b.Cleanup(hs.Close)
		return hs.URL
	}
	return whoamiStacks{keymint: serve(fns), allow: serve(allowFns), token: issued.Token, tokenID: issued.ID}
}

// constantAllow is an authorizer that allows every request with the
// context keymint's authorizer gives tok, asked once up front: the floor a
// Go Lambda authorizer costs (decode the event, encode the answer).
func constantAllow(b *testing.B, real localrt.Target, tok string) localrt.Target {
	b.Helper()
	ev, _ := json.Marshal(events.APIGatewayV2CustomAuthorizerV2Request{
		Version: "2.0", Type: "REQUEST", RouteArn: localapi.RouteArn(localapi.APIID("KeymintApi"), "GET", "/whoami"),
		IdentitySource: []string{"Bearer " + tok}, RouteKey: "GET /whoami", RawPath: "/whoami",
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			RouteKey: "GET /whoami",
			HTTP:     events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "GET", Path: "/whoami", SourceIP: "127.0.0.1"},
		},
	})
	out, err := localrt.Invoke(context.Background(), real, ev)
	if err != nil {
		b.Fatal(err)
	}
	var allow events.APIGatewayV2CustomAuthorizerSimpleResponse
	if err := json.Unmarshal(out, &allow); err != nil || !allow.IsAuthorized || allow.Context["tokenId"] == nil {
		b.Fatalf("keymint's authorizer answered %s (%v)", out, err)
	}
	h := app.Typed(func(context.Context, events.APIGatewayV2CustomAuthorizerV2Request) (events.APIGatewayV2CustomAuthorizerSimpleResponse, error) {
		return allow, nil
	})
	return localrt.Target{ID: real.ID, Handler: h, Timeout: real.Timeout}
}

// loadRound is one stack's share of a round: n requests by the clients.
type loadRound struct {
	wall, cpu     time.Duration
	allocs, bytes uint64
	latencies     []time.Duration
}

// whoamiLoad sends n GET /whoami to base from clients concurrent clients
// sharing client, and fails on any answer but 200 naming the token.
func whoamiLoad(b *testing.B, client *http.Client, base string, s whoamiStacks, clients, n int) loadRound {
	b.Helper()
	var next atomic.Int64
	lat := make([][]time.Duration, clients)
	errs := make(chan error, clients)
	var wg sync.WaitGroup
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	c0 := testkit.CPUTime()
	start := time.Now()
	for c := range clients {
		wg.Go(func() {
			for next.Add(1) <= int64(n) {
				req, _ := http.NewRequest(http.MethodGet, base+"/whoami", nil)
				req.Header.Set("Authorization", "Bearer "+s.token)
				t0 := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					errs <- err
					return
				}
				body, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				lat[c] = append(lat[c], time.Since(t0))
				if err != nil || resp.StatusCode != http.StatusOK || !bytes.Contains(body, []byte(`"`+s.tokenID+`"`)) {
					errs <- fmt.Errorf("GET /whoami: status %d, %s (%v)", resp.StatusCode, body, err)
					return
				}
			}
		})
	}
	wg.Wait()
	r := loadRound{wall: time.Since(start), cpu: testkit.CPUTime() - c0}
	runtime.ReadMemStats(&m1)
	r.allocs, r.bytes = m1.Mallocs-m0.Mallocs, m1.TotalAlloc-m0.TotalAlloc
	select {
	case err := <-errs:
		b.Fatalf("%s: %v", base, err)
	default:
	}
	for _, l := range lat {
		r.latencies = append(r.latencies, l...)
	}
	return r
}

// loadTotals sums a stack's rounds.
type loadTotals struct {
	requests      int
	cpu           time.Duration
	allocs, bytes uint64
	latencies     []time.Duration
	perRequest    []time.Duration // each round's wall time per request
}

func (t *loadTotals) add(r loadRound) {
	n := len(r.latencies)
	t.requests += n
	t.cpu += r.cpu
	t.allocs += r.allocs
	t.bytes += r.bytes
	t.latencies = append(t.latencies, r.latencies...)
	t.perRequest = append(t.perRequest, r.wall/time.Duration(n))
}

// rps is the median round's throughput, so a burst of load from outside
// the benchmark that hits one round does not move the result.
func (t *loadTotals) rps() float64 { return float64(time.Second) / float64(median(t.perRequest)) }

// BenchmarkWhoamiLocalAPI is GET /whoami through the local API Gateway
// stand-in (internal/localapi, every function built as `make run` builds it)
// with 32 concurrent clients: keymint's ValidateFunction as the authorizer
// (decision cache at its default 2s TTL, so it reads the token about every
// 2s) vs the same stack with a constant-allow authorizer. DescribeFunction
// reads the token from DynamoDB Local in both. The stacks alternate in
// rounds of 250 requests (which goes first alternates too), 2000 requests
// each per b.N, after a warm-up. Reported: each stack's requests per second
// (the median round's) and p50 latency, their ratio (keymint/allow), and the test process's CPU time per request (client,
// API stand-in and functions; DynamoDB Local is another process). The
// built-in B/op and allocs/op are per request through the keymint stack.
//
// Every answer is checked for the token's id, so an answer reaching the
// wrong request fails the run.
func BenchmarkWhoamiLocalAPI(b *testing.B) {
	const clients, perRound, roundsPerN = 32, 250, 8
	s := newWhoamiStacks(b)
	newClient := func() *http.Client {
		return &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients, MaxIdleConns: clients}}
	}
	kc, ac := newClient(), newClient()
	defer kc.CloseIdleConnections()
	defer ac.CloseIdleConnections()
	whoamiLoad(b, kc, s.keymint, s, clients, 4*clients)
	whoamiLoad(b, ac, s.allow, s, clients, 4*clients)

	var keymint, allow loadTotals
	b.ResetTimer()
	for r := range roundsPerN * b.N {
		if r%2 == 0 {
			keymint.add(whoamiLoad(b, kc, s.keymint, s, clients, perRound))
			allow.add(whoamiLoad(b, ac, s.allow, s, clients, perRound))
		} else {
			allow.add(whoamiLoad(b, ac, s.allow, s, clients, perRound))
			keymint.add(whoamiLoad(b, kc, s.keymint, s, clients, perRound))
		}
	}
	b.StopTimer()
	b.ReportMetric(keymint.rps(), "keymint-rps")
	b.ReportMetric(allow.rps(), "allow-rps")
	b.ReportMetric(keymint.rps()/allow.rps(), "ratio")
	b.ReportMetric(float64(median(keymint.latencies)), "keymint-p50-ns")
	b.ReportMetric(float64(median(allow.latencies)), "allow-p50-ns")
	b.ReportMetric(float64(keymint.cpu)/float64(keymint.requests), "keymint-cpu-ns/req")
	b.ReportMetric(float64(allow.cpu)/float64(allow.requests), "allow-cpu-ns/req")
	b.ReportMetric(float64(keymint.allocs)/float64(keymint.requests), "allocs/op")
	b.ReportMetric(float64(keymint.bytes)/float64(keymint.requests), "B/op")
	b.ReportMetric(0, "ns/op")
}
