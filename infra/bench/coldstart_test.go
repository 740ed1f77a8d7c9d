package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/keymint/keymint/shared/registry"

	"github.com/keymint/keymint/internal/extapi"
	"github.com/keymint/keymint/internal/testkit"
	"github.com/keymint/keymint/shared/app"
	"github.com/keymint/keymint/shared/keyring"
)

// Lambda Runtime API paths, as aws-lambda-go's lambda/runtime_api_client.go
// calls them (https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html).
const (
	runtimeNext     = "GET /2018-06-01/runtime/invocation/next"
	runtimeResponse = "POST /2018-06-01/runtime/invocation/{id}/response"
	runtimeError    = "POST /2018-06-01/runtime/invocation/{id}/error"
	runtimeInitErr  = "POST /2018-06-01/runtime/init/error"
)

// answer is what the emulated Runtime API received for the one invocation.
type answer struct {
	at     time.Time // when the POST arrived
	asked  time.Time // when the process first asked for an event (its init was over)
	body   []byte
	failed bool // posted to an error endpoint
}

// runtimeAPI emulates the Lambda Runtime API for one process and one
// invocation: the first GET next hands out the event, the function posts its
// answer, and later GET nexts wait until the process is gone (as Lambda's
// do until the next invoke). The Extensions API is served at the same
// address, as Lambda serves both at AWS_LAMBDA_RUNTIME_API, and the
// invocation's INVOKE event goes to the extensions the process registered
// when the runtime asks for it.
type runtimeAPI struct {
	srv    *httptest.Server
	ext    *extapi.Server
	event  []byte
	reqID  string
	served atomic.Bool
	asked  atomic.Int64 // unix nanoseconds of the first GET next
	answer chan answer  // buffered 1
	stop   chan struct{}
	once   sync.Once
}

func newRuntimeAPI(tb testing.TB, event []byte, reqID string) *runtimeAPI {
	rt := &runtimeAPI{event: event, reqID: reqID, answer: make(chan answer, 1), stop: make(chan struct{})}
	mux := http.NewServeMux()
	mux.HandleFunc(runtimeNext, rt.next)
	mux.HandleFunc(runtimeResponse, func(w http.ResponseWriter, r *http.Request) { rt.post(w, r, false) })
	mux.HandleFunc(runtimeError, func(w http.ResponseWriter, r *http.Request) { rt.post(w, r, true) })
	mux.HandleFunc(runtimeInitErr, func(w http.ResponseWriter, r *http.Request) { rt.post(w, r, true) })
	ext, err := extapi.Start(extapi.Function{Name: "ValidateFunction", Version: "$LATEST", Handler: "bootstrap",
		ARN: "arn:aws:lambda:us-east-1:123456789012:function:ValidateFunction"})
	if err != nil {
		tb.Fatal(err)
	}
	rt.ext = ext
	ext.Routes(mux)
	rt.srv = httptest.NewServer(mux)
	return rt
}

// addr is AWS_LAMBDA_RUNTIME_API: host:port, no scheme.
func (rt *runtimeAPI) addr() string { return strings.TrimPrefix(rt.srv.URL, "http://") }

func (rt *runtimeAPI) next(w http.ResponseWriter, r *http.Request) {
	rt.asked.CompareAndSwap(0, time.Now().UnixNano())
	if !rt.served.CompareAndSwap(false, true) {
		select {
		case <-r.Context().Done():
		case <-rt.stop:
		}
		w.WriteHeader(http.StatusGone)
		return
	}
	deadline := time.Now().Add(30 * time.Second)
	// The runtime's first Next ends Init; the extensions get the
	// invocation as the runtime does.
	rt.ext.RuntimeReady()
	go func() { _ = rt.ext.Invoke(context.Background(), rt.reqID, deadline, func() {}) }()
	h := w.Header()
	h.Set("Lambda-Runtime-Aws-Request-Id", rt.reqID)
	h.Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(deadline.UnixMilli(), 10))
	h.Set("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:123456789012:function:ValidateFunction")
	h.Set("Lambda-Runtime-Trace-Id", "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0")
	h.Set("Content-Type", "application/json")
	_, _ = w.Write(rt.event)
}

func (rt *runtimeAPI) post(w http.ResponseWriter, r *http.Request, failed bool) {
	at := time.Now()
	body, _ := io.ReadAll(r.Body)
	if id := r.PathValue("id"); id != "" && id != rt.reqID {
		body = fmt.Appendf(nil, "answer for unknown request id %q: %s", id, body)
		failed = true
	}
	select {
	case rt.answer <- answer{at: at, asked: time.Unix(0, rt.asked.Load()), body: body, failed: failed}:
	default:
	}
	w.WriteHeader(http.StatusAccepted)
}

func (rt *runtimeAPI) close() {
	rt.once.Do(func() { close(rt.stop) })
	_ = rt.ext.Close()
	rt.srv.Close()
}

// coldStartTimes are one cold start's times, from just before the process
// starts.
type coldStartTimes struct {
	init   time.Duration // to its first GET next: runtime start, package inits, main up to lambda.Start
	answer time.Duration // to the arrival of its answer
	// register is how long registering validate's post-response extension
	// took during init, as its log line says, and registerWait how much of
	// it init waited for; -1 without the line.
	register, registerWait time.Duration
}

// registeredLine is validate's log line once its extension registered.
const registeredLine = "post-response extension registered"

// coldStart starts bin as a fresh Lambda process under an emulated Runtime
// API, hands it event, and returns its times and its answer.
func coldStart(tb testing.TB, bin string, env []string, event []byte) (coldStartTimes, []byte) {
	tb.Helper()
	rt := newRuntimeAPI(tb, event, "c0ffee00-0000-4000-8000-"+strconv.FormatInt(time.Now().UnixNano()%1e12, 10))
	defer rt.close()
	out := testkit.NewOutput(registeredLine)
	cmd := exec.Command(bin)
	cmd.Env = append(env, "AWS_LAMBDA_RUNTIME_API="+rt.addr())
	cmd.Stdout, cmd.Stderr = out, out
	exited := make(chan error, 1)

	start := time.Now()
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	go func() { exited <- cmd.Wait() }()
	defer func() {
		_ = cmd.Process.Kill()
		<-exited
	}()
	select {
	case a := <-rt.answer:
		if a.failed {
			tb.Fatalf("%s answered with an error: %s", filepath.Base(bin), a.body)
		}
		took, waited := registerTime(out)
		return coldStartTimes{init: a.asked.Sub(start), answer: a.at.Sub(start), register: took, registerWait: waited}, a.body
	case err := <-exited:
		tb.Fatalf("%s exited before answering (%v):\n%s", filepath.Base(bin), err, out.String())
	case <-time.After(30 * time.Second):
		tb.Fatalf("%s did not answer in 30s:\n%s", filepath.Base(bin), out.String())
	}
	return coldStartTimes{}, nil
}

// registerTime reads, from validate's log line (written during init, so
// by its answer the line is on its way; a moment is allowed for the
// pipe), how long registering took and how long Init waited for it (the
// rest ran beside the App's building); -1s without the line.
func registerTime(out *testkit.Output) (took, waited time.Duration) {
	select {
	case <-out.Seen():
	case <-time.After(200 * time.Millisecond):
		return -1, -1
	}
	for _, line := range strings.Split(out.String(), "\n") {
		if !strings.Contains(line, registeredLine) {
			continue
		}
		var rec struct {
			MS       float64 `json:"ms"`
			WaitedMS float64 `json:"waitedMs"`
		}
		if json.Unmarshal([]byte(line), &rec) == nil {
			return time.Duration(rec.MS * float64(time.Millisecond)), time.Duration(rec.WaitedMS * float64(time.Millisecond))
		}
	}
	return -1, -1
}

// coldStartFixture is what both processes get: the environment of a local
// ValidateFunction and an HTTP API authorizer event carrying a live token.
type coldStartFixture struct {
	env   []string
	event []byte
}

func newColdStartFixture(b *testing.B) coldStartFixture {
	b.Helper()
	_, table := testkit.NewTable(b)
	dir := b.TempDir()
	keyringFile := filepath.Join(dir, "keyring.json")
	if _, err := keyring.EnsureFile(keyringFile); err != nil {
		b.Fatal(err)
	}
	vars := map[string]string{
		"TABLE_NAME":                table,
		"DYNAMODB_ENDPOINT":         testkit.Endpoint(),
		"KEYRING_FILE":              keyringFile,
		"LOCAL_DIR":                 dir,
		"AWS_REGION":                "us-east-1",
		"AWS_DEFAULT_REGION":        "us-east-1",
		"AWS_ACCESS_KEY_ID":         "local",
		"AWS_SECRET_ACCESS_KEY":     "local",
		"AWS_EC2_METADATA_DISABLED": "true",
		// No shared config or credentials files: a developer's ~/.aws must
		// neither slow the start nor reach an account.
		"AWS_CONFIG_FILE":             filepath.Join(dir, "no-aws-config"),
		"AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "no-aws-credentials"),
		"HOME":                        dir,
		"AWS_LAMBDA_LOG_FORMAT":       "JSON",
		// What Lambda itself sets.
		"AWS_LAMBDA_FUNCTION_NAME":        "ValidateFunction",
		"AWS_LAMBDA_FUNCTION_VERSION":     "$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
		"AWS_EXECUTION_ENV":               "AWS_Lambda_provided.al2023",
		"TZ":                              ":UTC",
	}
	// The token is issued through IssueFunction's ops direct invoke on an
	// App built from the same environment, so validate finds it under the
	// same table and keyring.
	var a *app.App
	discardStdout(b, func() {
		var err error
		if a, err = app.New(context.Background(), func(k string) string { return vars[k] }); err != nil {
			b.Fatal(err)
		}
	})
	req, _ := json.Marshal(map[string]any{"owner": "bench", "name": "cold-start", "scopes": []string{"tokens:read"}})
	out, err := registry.Functions()["IssueFunction"](a).Invoke(context.Background(), req)
	if err != nil {
		b.Fatal(err)
	}
	var issued struct {
		Token string `json:"token"`
	}
	if err := json.Unmarshal(out, &issued); err != nil || issued.Token == "" {
		b.Fatalf("issue answered %s (%v)", out, err)
	}
	// AWS's sample HTTP API authorizer event (the one validate's tests
	// use), compact as Lambda delivers it, for GET /whoami from a real
	// address, with the token.
	var ev events.APIGatewayV2CustomAuthorizerV2Request
	root, err := testkit.RepoRoot()
	if err != nil {
		b.Fatal(err)
	}
	// The repository's own shared/ package, found from the root rather
	// than by a relative path out of this directory.
	raw, err := os.ReadFile(filepath.Join(root, "shared", "validate", "testdata", "http-v2.json"))
	if err != nil {
		b.Fatal(err)
	}
	if err := json.Unmarshal(raw, &ev); err != nil {
		b.Fatal(err)
	}
	ev.IdentitySource = []string{"Bearer " + issued.Token}
	ev.Headers["authorization"] = "Bearer " + issued.Token
	ev.RouteKey, ev.RawPath = "GET /whoami", "/whoami"
	ev.RequestContext.HTTP.Method, ev.RequestContext.HTTP.Path = "GET", "/whoami"
	ev.RequestContext.HTTP.SourceIP = "198.51.100.7"
	event, _ := json.Marshal(ev)
	env := make([]string, 0, len(vars))
	for k, v := range vars {
		env = append(env, k+"="+v)
	}
	return coldStartFixture{env: env, event: event}
}

// checkAllowed fails unless answer is an HTTP API simple response that
// allows.
func checkAllowed(tb testing.TB, who string, answer []byte) {
	tb.Helper()
	var v struct {
		IsAuthorized bool `json:"isAuthorized"`
	}
	if err := json.Unmarshal(answer, &v); err != nil || !v.IsAuthorized {
		tb.Fatalf("%s answered %s, want isAuthorized:true", who, answer)
	}
}

// BenchmarkColdStart is a Lambda cold start of ValidateFunction: the time
// from starting the bootstrap process to the first validate answer reaching
// the Runtime API, against the same for a minimal aws-lambda-go function
// built the same way. Both are built for the host with `make build`'s flags
// and run as child processes under an emulated Runtime API; validate gets
// the environment of a local stack (DynamoDB Local, a keyring file) and an
// HTTP API authorizer event with a real token, so its time includes reading
// the keyring and the token (one GetItem). The token was used within
// LAST_USED_INTERVAL (by the warm-up run), as a token in use is when a new
// container starts, so the first request writes nothing. The Extensions
// API is served beside the Runtime API, as on Lambda, so validate registers
// its post-response extension during Init; register-ms is how long that
// took and register-wait-ms how long Init waited for it (the registration
// begins before the App is built and runs beside it), from validate's own
// log line. noextension is the same function built without the extension
// (testdata/noextension): validate-ms against noextension-ms is what the
// extension adds to the first answer. The three run interleaved,
// coldStartRounds triples per b.Loop iteration after one discarded warm-up
// triple (page cache, the token's first lastUsedAt write); metrics are
// medians over all of them.
func BenchmarkColdStart(b *testing.B) {
	const coldStartRounds = 25
	lb := makefileBuild(b)
	bin := b.TempDir()
	lb.build(b, runtime.GOOS, runtime.GOARCH, bin, "./functions/validate", "./infra/bench/testdata/minimal", "./infra/bench/testdata/firstget",
		"./infra/bench/testdata/noextension")
	validate, minimal, firstget := filepath.Join(bin, "validate"), filepath.Join(bin, "minimal"), filepath.Join(bin, "firstget")
	noext := filepath.Join(bin, "noextension")
	fx := newColdStartFixture(b)

	run := func(bin string) coldStartTimes {
		d, out := coldStart(b, bin, fx.env, fx.event)
		checkAllowed(b, filepath.Base(bin), out)
		return d
	}
	run(validate)
	run(minimal)
	run(noext)
	var vals, mins, valInits, minInits, configs, firsts, seconds, regs, regWaits, noexts, noextInits, extDeltas []time.Duration
	var vInit, mInit, sdkInit, ddbInit []time.Duration
	for b.Loop() {
		for range coldStartRounds {
			v, m, n := run(validate), run(minimal), run(noext)
			noexts, noextInits = append(noexts, n.answer), append(noextInits, n.init)
			extDeltas = append(extDeltas, v.answer-n.answer)
			if v.register < 0 {
				b.Fatal("validate did not log its extension's registration")
			}
			regs, regWaits = append(regs, v.register), append(regWaits, v.registerWait)
			vals, valInits = append(vals, v.answer), append(valInits, v.init)
			mins, minInits = append(mins, m.answer), append(minInits, m.init)
			config, first, second := firstGet(b, firstget, fx.env)
			configs, firsts, seconds = append(configs, config), append(firsts, first), append(seconds, second)
			vt, mt := packageInit(b, validate, fx.env), packageInit(b, minimal, fx.env)
			vInit, mInit = append(vInit, vt.total), append(mInit, mt.total)
			sdkInit, ddbInit = append(sdkInit, vt.sdk), append(ddbInit, vt.dynamodb)
		}
	}
	v, m := median(vals), median(mins)
	b.ReportMetric(ms(v), "validate-ms")
	b.ReportMetric(ms(m), "minimal-ms")
	b.ReportMetric(ms(v-m), "extra-ms")
	b.ReportMetric(ms(median(regs)), "register-ms")
	// What the extension adds to the first answer: validate against the
	// same build that registers none (testdata/noextension).
	b.ReportMetric(ms(median(noexts)), "noextension-ms")
	b.ReportMetric(ms(median(noextInits)), "noextension-init-ms")
	// The same, paired: the median of each triple's difference, which the
	// machine's drift between triples does not move.
	b.ReportMetric(ms(median(extDeltas)), "extension-adds-ms")
	b.ReportMetric(ms(median(regWaits)), "register-wait-ms")
	// Where the time goes: up to lambda.Start (init) and the first invoke.
	b.ReportMetric(ms(median(valInits)), "validate-init-ms")
	b.ReportMetric(ms(median(minInits)), "minimal-init-ms")
	// The parts outside keymint's code: package initialisation (GODEBUG
	// inittrace; the AWS SDK's, DynamoDB's alone), loading the SDK's
	// configuration with the DynamoDB client (awsconfig.LoadDefaultConfig,
	// as shared/app does), and a process's first GetItem against the next
	// one on the same connection.
	b.ReportMetric(ms(median(vInit)), "validate-pkginit-ms")
	b.ReportMetric(ms(median(mInit)), "minimal-pkginit-ms")
	b.ReportMetric(ms(median(sdkInit)), "sdk-pkginit-ms")
	b.ReportMetric(ms(median(ddbInit)), "dynamodb-pkginit-ms")
	b.ReportMetric(ms(median(configs)), "sdk-config-ms")
	b.ReportMetric(ms(median(firsts)), "first-getitem-ms")
	b.ReportMetric(ms(median(seconds)), "second-getitem-ms")
	b.ReportMetric(0, "ns/op")
}

// initTimes are a process's package initialisation times, from
// GODEBUG=inittrace=1: all packages, the AWS SDK's, DynamoDB's.
type initTimes struct{ total, sdk, dynamodb time.Duration }

// packageInit runs bin with inittrace on and without a Runtime API, so it
// exits after main's init, and sums the trace's "ms clock" times.
func packageInit(tb testing.TB, bin string, env []string) initTimes {
	tb.Helper()
	cmd := exec.Command(bin)
	cmd.Env = append(env, "GODEBUG=inittrace=1")
	out, _ := cmd.CombinedOutput() // it fails without a Runtime API, by design
	var t initTimes
	lines := 0
	for _, line := range strings.Split(string(out), "\n") {
		// init <package> @<start> ms, <clock> ms clock, <bytes> bytes, <n> allocs
		f := strings.Fields(line)
		if len(f) < 7 || f[0] != "init" || f[6] != "clock," {
			continue
		}
		v, err := strconv.ParseFloat(f[4], 64)
		if err != nil {
			continue
		}
		d := time.Duration(v * float64(time.Millisecond))
		lines++
		t.total += d
		if strings.HasPrefix(f[1], "github.com/aws/aws-sdk-go-v2/") {
			t.sdk += d
		}
		if strings.HasPrefix(f[1], "github.com/aws/aws-sdk-go-v2/service/dynamodb") {
			t.dynamodb += d
		}
	}
	if lines == 0 {
		tb.Fatalf("%s printed no init trace:\n%s", filepath.Base(bin), out)
	}
	return t
}

// firstGet runs the firstget program: a fresh process's loading of the
// SDK's configuration with its DynamoDB client, its first GetItem and the
// one after it.
func firstGet(tb testing.TB, bin string, env []string) (config, first, second time.Duration) {
	tb.Helper()
	cmd := exec.Command(bin)
	cmd.Env = env
	out, err := cmd.Output()
	if err != nil {
		tb.Fatalf("firstget: %v", err)
	}
	var d struct{ Config, First, Second int64 }
	if err := json.Unmarshal(out, &d); err != nil {
		tb.Fatalf("firstget printed %s: %v", out, err)
	}
	return time.Duration(d.Config), time.Duration(d.First), time.Duration(d.Second)
}
