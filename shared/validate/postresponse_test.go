package validate_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/keymint/keymint/internal/extapi"
	"github.com/keymint/keymint/internal/testkit"
	"github.com/keymint/keymint/shared/app/validatefn"
	"github.com/keymint/keymint/shared/manage"
	"github.com/keymint/keymint/shared/store"
	"github.com/keymint/keymint/shared/validate"
)

// lambdaFixture is validate as Lambda runs it: its internal extension
// registered with an emulated Extensions API during init, and every
// invocation delivered through that API, so the usage writes take the
// post-response path they take on AWS.
type lambdaFixture struct {
	*testkit.App
	svc   *manage.Service
	api   *extapi.Server
	h     lambda.Handler
	db    *gatedAPI
	calls atomic.Int64
}

func newLambdaFixture(t testing.TB, env testkit.Env) *lambdaFixture {
	t.Helper()
	api := testkit.ExtensionsAPI(t)
	env["SCOPES_FILE"] = "testdata/scopes.json"
	env["AWS_LAMBDA_RUNTIME_API"] = api.Addr()
	a := testkit.NewApp(t, env)
	f := &lambdaFixture{App: a, svc: a.Service(), api: api, db: &gatedAPI{API: a.DB}}
	// validate's own store reads and writes through the gate; the
	// fixture's (issuing, reading back) does not.
	va := *a.App
	va.Store = store.New(f.db, a.Table, a.Store.Rules(), store.Eventual)
	f.h = validatefn.Lambda(&va)
	return f
}

// call is one invocation: it returns when the answer is ready, as API
// Gateway gets it, whatever the extension still has to do.
func (f *lambdaFixture) call(t testing.TB, req validate.DirectRequest) validate.DirectResponse {
	t.Helper()
	raw, _ := json.Marshal(req)
	out := f.invoke(t, raw)
	var resp validate.DirectResponse
	if err := json.Unmarshal(out, &resp); err != nil {
		t.Fatalf("answer %s: %v", out, err)
	}
	return resp
}

// invoke is one invocation of any payload through the Extensions API, as
// Lambda's runtime makes it: it returns with the answer.
func (f *lambdaFixture) invoke(t testing.TB, payload []byte) []byte {
	t.Helper()
	var out []byte
	var err error
	id := fmt.Sprintf("req-%d", f.calls.Add(1))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if ierr := f.api.Invoke(ctx, id, time.Now().Add(5*time.Second), func() { out, err = f.h.Invoke(ctx, payload) }); ierr != nil {
		t.Fatal(ierr)
	}
	if err != nil {
		t.Fatalf("invoke: %v", err)
	}
	return out
}

// invokeTimed is invoke with the handler timed from the moment the
// extension has taken its INVOKE event (see benchMiss) to its answer.
func (f *lambdaFixture) invokeTimed(t testing.TB, payload []byte) ([]byte, time.Duration) {
	t.Helper()
	var out []byte
	var err error
	var took time.Duration
	id := fmt.Sprintf("req-%d", f.calls.Add(1))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ierr := f.api.Invoke(ctx, id, time.Now().Add(5*time.Second), func() {
		if err = f.api.Received(ctx); err != nil {
			return
		}
		t0 := time.Now()
		out, err = f.h.Invoke(ctx, payload)
		took = time.Since(t0)
	})
	if ierr != nil {
		t.Fatal(ierr)
	}
	if err != nil {
		t.Fatalf("invoke: %v", err)
	}
	return out, took
}

// settled waits for the post-response phase: the moment Lambda may freeze.
func (f *lambdaFixture) settled(t testing.TB) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := f.api.Settled(ctx); err != nil {
		t.Fatalf("post-response phase never ended: %v", err)
	}
}

// gatedAPI holds every UpdateItem (the usage writes) until open is
// closed, and counts them.
type gatedAPI struct {
	store.API
	gate    chan struct{} // nil: open
	started chan struct{} // receives once per UpdateItem that reached the gate
	updates atomic.Int64
}

func (g *gatedAPI) UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, opt ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	g.updates.Add(1)
	if g.gate != nil {
		g.started <- struct{}{}
		select {
		case <-g.gate:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return g.API.UpdateItem(ctx, in, opt...)
}

// The answer never waits for the usage write: with the table's writes held
// back, the caller still gets its allow; the write lands afterwards,
// before Lambda would freeze the environment.
func TestAnswerDoesNotWaitForUsage(t *testing.T) {
	t.Parallel()
	f := newLambdaFixture(t, testkit.Env{"VALIDATE_CACHE_TTL": "0", "LAST_USED_INTERVAL": "5m"})
	tok, err := f.svc.Issue(context.Background(), ops, manage.IssueRequest{Owner: "alice", Name: "fresh", Scopes: []string{"sample:call"}})
	if err != nil {
		t.Fatal(err)
	}
	f.db.gate, f.db.started = make(chan struct{}), make(chan struct{}, 16)

	answered := make(chan validate.DirectResponse, 1)
	go func() { answered <- f.call(t, validate.DirectRequest{Token: tok.Plaintext, SourceIP: "203.0.113.9"}) }()
	select {
	case got := <-answered:
		if !got.Active {
			t.Fatalf("a fresh token refused: %+v", got)
		}
	case <-time.After(2 * time.Second):
		// A write held at the gate gives up only at the invocation's
		// deadline less validate's margin (4.5 s here).
		t.Fatal("the answer waited for the usage write (first use of a fresh token)")
	}
	select {
	case <-f.db.started:
	case <-time.After(5 * time.Second):
		t.Fatal("the first use was never written")
	}
	settle, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if err := f.api.Settled(settle); err == nil {
		t.Fatal("the environment could freeze with the usage write still open")
	}
	close(f.db.gate)
	f.settled(t)
	got, _ := f.Store.Record(context.Background(), tok.Token.ID, store.Consistent)
	if got.LastUsedAt != testkit.Start.Unix() || got.LastUsedIP != "203.0.113.9" {
		t.Errorf("lastUsed %d %q after the post-response phase", got.LastUsedAt, got.LastUsedIP)
	}
}

// After N uses and each post-response phase, the table holds exactly what
// was sent: lastUsedAt of the last due use, every address's count. One
// lastUsedAt write per token per interval, as before.
func TestUsageLandsExactly(t *testing.T) {
	t.Parallel()
	f := newLambdaFixture(t, testkit.Env{"VALIDATE_CACHE_TTL": "0", "LAST_USED_INTERVAL": "5m"})
	ctx := context.Background()
	tok, err := f.svc.Issue(ctx, ops, manage.IssueRequest{Owner: "alice", Name: "busy", Scopes: []string{"sample:call"}})
	if err != nil {
		t.Fatal(err)
	}
	ips := []string{"203.0.113.1", "203.0.113.2", "2001:db8::7"}
	sent := map[string]int64{}
	use := func(n int) {
		for i := range n {
			ip := ips[i%len(ips)]
			if got := f.call(t, validate.DirectRequest{Token: tok.Plaintext, SourceIP: ip}); !got.Active {
				t.Fatalf("use %d refused: %+v", i, got)
			}
			sent[ip]++
			f.settled(t) // Lambda: the next invocation waits for this one's extension
		}
	}
	use(7)                           // the first is due, the rest are counted
	f.Clock.Advance(6 * time.Minute) // due again
	use(4)                           // the first of these writes everything counted
	last := f.Clock.Now()

	got, _ := f.Store.Record(ctx, tok.Token.ID, store.Consistent)
	if got.LastUsedAt != last.Unix() || got.LastUsedIP != ips[0] {
		t.Errorf("lastUsed %d %q, want %d %q", got.LastUsedAt, got.LastUsedIP, last.Unix(), ips[0])
	}
	uses, _, err := f.Store.Usage(ctx, tok.Token.ID, last, 10, "")
	if err != nil {
		t.Fatal(err)
	}
	landed := map[string]int64{}
	for _, u := range uses {
		landed[u.IP] = u.Count
	}
	// The last round's 3 uses after its first are counted, not yet written
	// (due after the next interval), as before.
	pending := map[string]int64{ips[1]: 1, ips[2]: 1, ips[0]: 1}
	for _, ip := range ips {
		if want := sent[ip] - pending[ip]; landed[ip] != want {
			t.Errorf("%s: %d in the table, want %d (sent %d)", ip, landed[ip], want, sent[ip])
		}
	}
	// Two due writes, each a Touch and one RecordUse per address counted.
	if n := f.db.updates.Load(); n != 1+1+1+3 {
		t.Errorf("%d UpdateItems, want 6 (2 lastUsedAt + 1 then 3 address counts)", n)
	}
}

// When the extension is gone (its API answers no more), usage is written
// before the answer again: nothing waits for work nobody will run.
func TestUsageBeforeAnswerWithoutTheExtension(t *testing.T) {
	t.Parallel()
	f := newLambdaFixture(t, testkit.Env{"VALIDATE_CACHE_TTL": "0", "LAST_USED_INTERVAL": "5m"})
	ctx := context.Background()
	tok, err := f.svc.Issue(ctx, ops, manage.IssueRequest{Owner: "alice", Name: "orphan", Scopes: []string{"sample:call"}})
	if err != nil {
		t.Fatal(err)
	}
	f.call(t, validate.DirectRequest{Token: tok.Plaintext, SourceIP: "203.0.113.1"})
	f.settled(t)
	_ = f.api.Close()
	raw, _ := json.Marshal(validate.DirectRequest{Token: tok.Plaintext, SourceIP: "203.0.113.2"})
	deadline := time.Now().Add(5 * time.Second)
	for {
		f.Clock.Advance(6 * time.Minute)
		if _, err := f.h.Invoke(ctx, raw); err != nil {
			t.Fatal(err)
		}
		// Written by the time the answer is back, with nobody to flush later.
		if got, _ := f.Store.Record(ctx, tok.Token.ID, store.Consistent); got.LastUsedAt == f.Clock.Now().Unix() {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("with the extension gone, usage was not written before the answer")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
