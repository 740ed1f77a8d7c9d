package sweep_test

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/keymint/keymint/internal/testkit"
	"github.com/keymint/keymint/shared/audit"
	"github.com/keymint/keymint/shared/lifecycle"
	"github.com/keymint/keymint/shared/store"
	"github.com/keymint/keymint/shared/sweep"
)

func TestMain(m *testing.M) { testkit.Main(m) }

// baseTime is far in the future so DynamoDB Local's own TTL, which compares
// expiresTTL with the wall clock, never removes what a test ages with the
// manual clock.
func baseTime() time.Time { return time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC) }

func days(n float64) time.Duration { return time.Duration(n * float64(24*time.Hour)) }

// recorder is a Notifier that keeps what it was given. Token ids in fail
// are refused with a DeliveryError; failAll refuses everything.
type recorder struct {
	mu      sync.Mutex
	sent    []sweep.Notice
	fail    map[string]bool
	failAll error
}

func (r *recorder) Notify(_ context.Context, ns []sweep.Notice) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.failAll != nil {
		return r.failAll
	}
	var failed []string
	for _, n := range ns {
		if r.fail[n.TokenID] {
			failed = append(failed, n.TokenID)
			continue
		}
		r.sent = append(r.sent, n)
	}
	if len(failed) > 0 {
		return &sweep.DeliveryError{Failed: failed, Err: fmt.Errorf("refused by test")}
	}
	return nil
}

func (r *recorder) ids() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, n := range r.sent {
		out = append(out, n.TokenID)
	}
	slices.Sort(out)
	return out
}

// countingAPI counts what the store reads: items a Query evaluated
// (ScannedCount, what DynamoDB bills) and GetItem calls. beforeWrite, when
// set, runs before each transaction (to simulate a concurrent writer).
type countingAPI struct {
	store.API
	queries, queried, gets, writes atomic.Int64
	beforeWrite                    func(ctx context.Context, in *dynamodb.TransactWriteItemsInput)
}

func (c *countingAPI) Query(ctx context.Context, in *dynamodb.QueryInput, opt ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	out, err := c.API.Query(ctx, in, opt...)
	if err == nil {
		c.queries.Add(1)
		c.queried.Add(int64(out.ScannedCount))
	}
	return out, err
}

func (c *countingAPI) GetItem(ctx context.Context, in *dynamodb.GetItemInput, opt ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	c.gets.Add(1)
	return c.API.GetItem(ctx, in, opt...)
}

func (c *countingAPI) TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, opt ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	c.writes.Add(1)
	if c.beforeWrite != nil {
		c.beforeWrite(ctx, in)
	}
	return c.API.TransactWriteItems(ctx, in, opt...)
}

func (c *countingAPI) itemsRead() int64 { return c.queried.Load() + c.gets.Load() }

// fixture is a test App on a fresh table, its clock at baseTime, with a
// Sweeper that counts its reads and records its notices.
type fixture struct {
	*testkit.App
	api   *countingAPI
	store *store.Store
	notes *recorder
	sw    *sweep.Sweeper
}

func newFixture(t testing.TB, env testkit.Env) *fixture {
	t.Helper()
	a := testkit.NewApp(t, env)
	a.Clock.Set(baseTime())
	api := &countingAPI{API: a.DB}
	st := store.New(api, a.Table, a.Store.Rules(), store.Eventual)
	notes := &recorder{fail: map[string]bool{}}
	return &fixture{App: a, api: api, store: st, notes: notes, sw: sweep.New(st, notes, a.Clock, a.Log, sweep.ClockOnly)}
}

// spec is a token's facts, as offsets from baseTime (0: unset).
type spec struct {
	id, name                             string
	status                               string // default active
	created, expires                     time.Duration
	lastUsed, revoked, expired, notified time.Duration
	activated                            time.Duration
}

func (s spec) token() *store.Record {
	b := baseTime()
	at := func(d time.Duration) int64 {
		if d == 0 {
			return 0
		}
		return b.Add(d).Unix()
	}
	status := s.status
	if status == "" {
		status = lifecycle.StatusActive
	}
	name := s.name
	if name == "" {
		name = "n-" + s.id
	}
	return &store.Record{
		ID: s.id, Owner: "alice", Name: name, Scopes: []string{"tokens:read"},
		SecretHash: []byte{1, 2, 3}, KeyID: "k1", Status: status,
		CreatedAt: b.Add(s.created).Unix(), UpdatedAt: b.Add(s.created).Unix(),
		ExpiresAt: b.Add(s.expires).Unix(), Lifetime: int64((s.expires - s.created) / time.Second),
		LastUsedAt: at(s.lastUsed), ActivatedAt: at(s.activated), RevokedAt: at(s.revoked),
		ExpiredAt: at(s.expired), NotifiedAt: at(s.notified),
	}
}

// seed writes tokens through the store, as issue would (name reservations,
// derived deadlines), each at its creation time.
func (f *fixture) seed(t testing.TB, specs ...spec) {
	t.Helper()
	for _, s := range specs {
		if err := f.create(s); err != nil {
			t.Fatal(err)
		}
	}
}

// create writes one token; safe to call from any goroutine.
func (f *fixture) create(s spec) error {
	tok := s.token()
	if err := f.Store.Apply(context.Background(), time.Unix(tok.CreatedAt, 0), store.Change{After: tok}); err != nil {
		return fmt.Errorf("seed %s: %w", s.id, err)
	}
	return nil
}

func (f *fixture) token(t testing.TB, id string) *store.Record {
	t.Helper()
	tok, err := f.Store.Record(context.Background(), id, true)
	if err != nil {
		t.Fatalf("read %s: %v", id, err)
	}
	return tok
}

// sweeperEvents lists the audit actions the sweeper wrote for a token, sorted.
func (f *fixture) sweeperEvents(t testing.TB, id string) []audit.Action {
	t.Helper()
	evs, _, err := f.Store.Audit(context.Background(), id, f.Clock.Now(), 100, "")
	if err != nil {
		t.Fatal(err)
	}
	var out []audit.Action
	for _, e := range evs {
		if e.Actor == audit.SweeperActor {
			out = append(out, e.Action)
		}
	}
	slices.Sort(out)
	return out
}

// snapshot is every item in the table, in key order, decoded to plain values.
func (f *fixture) snapshot(t testing.TB) []map[string]any {
	t.Helper()
	var out []map[string]any
	var start map[string]types.AttributeValue
	for {
		page, err := f.DB.Scan(context.Background(), &dynamodb.ScanInput{TableName: aws.String(f.Table), ExclusiveStartKey: start, ConsistentRead: aws.Bool(true)})
		if err != nil {
			t.Fatal(err)
		}
		var items []map[string]any
		if err := attributevalue.UnmarshalListOfMaps(page.Items, &items); err != nil {
			t.Fatal(err)
		}
		out = append(out, items...)
		if len(page.LastEvaluatedKey) == 0 {
			break
		}
		start = page.LastEvaluatedKey
	}
	sort.Slice(out, func(i, j int) bool {
		return fmt.Sprint(out[i]["PK"], "|", out[i]["SK"]) < fmt.Sprint(out[j]["PK"], "|", out[j]["SK"])
	})
	return out
}

func (f *fixture) sweepAt(t testing.TB, at time.Duration, opt sweep.Options) sweep.Report {
	t.Helper()
	f.Clock.Set(baseTime().Add(at))
	rep, err := f.sw.Run(context.Background(), opt)
	if err != nil {
		t.Fatalf("sweep: %v", err)
	}
	rep.DurationMs = 0
	return rep
}

func tokID(i int) string { return fmt.Sprintf("tok%013d", i) }
