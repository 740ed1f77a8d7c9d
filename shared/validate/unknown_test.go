package validate_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/keymint/keymint/internal/testkit"
	"github.com/keymint/keymint/shared/app/validatefn"
	"github.com/keymint/keymint/shared/manage"
	"github.com/keymint/keymint/shared/store"
	"github.com/keymint/keymint/shared/token"
	"github.com/keymint/keymint/shared/validate"
)

// readCounter counts GetItems, eventually and strongly consistent, and can
// answer "no item" to the first eventually consistent read of chosen
// keys, as a replica that has not caught up with a write yet would.
type readCounter struct {
	store.API
	mu                   sync.Mutex
	eventual, consistent int
	lagging              map[string]bool
}

func (r *readCounter) GetItem(ctx context.Context, in *dynamodb.GetItemInput, opt ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	consistent := in.ConsistentRead != nil && *in.ConsistentRead
	pk := ""
	if v, ok := in.Key["PK"].(*types.AttributeValueMemberS); ok {
		pk = v.Value
	}
	r.mu.Lock()
	if consistent {
		r.consistent++
	} else {
		r.eventual++
	}
	lag := !consistent && r.lagging[pk]
	delete(r.lagging, pk)
	r.mu.Unlock()
	if lag {
		return &dynamodb.GetItemOutput{}, nil
	}
	return r.API.GetItem(ctx, in, opt...)
}

func (r *readCounter) reads() (eventual, consistent int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.eventual, r.consistent
}

// unknownFixture is a validator reading through a readCounter.
func unknownFixture(t *testing.T) (*testkit.App, *validate.Validator, *readCounter) {
	t.Helper()
	a := testkit.NewApp(t, testkit.Env{"VALIDATE_CACHE_TTL": "0", "SCOPES_FILE": "testdata/scopes.json"})
	rc := &readCounter{API: a.DB, lagging: map[string]bool{}}
	st := store.New(rc, a.Table, a.Store.Rules(), store.Eventual)
	v := validate.NewValidator(st, a.Keyring, a.Catalogue, a.Clock, validatefn.Options(a.App), a.Log)
	return a, v, rc
}

func unknownToken(t *testing.T) string {
	t.Helper()
	tok, err := token.Generate("kmt")
	if err != nil {
		t.Fatal(err)
	}
	return tok.String()
}

// The same unknown id, with any secret, is read once (eventually, then
// strongly consistent) and then refused without a read while it is known
// missing.
func TestUnknownIDReadOnce(t *testing.T) {
	t.Parallel()
	a, v, rc := unknownFixture(t)
	ctx := context.Background()
	probe := unknownToken(t)
	id := strings.Split(probe, "_")[1]
	for i := range 5 {
		// Another secret for the same id each time: the decision cache,
		// keyed by the whole token, cannot help.
		other, _ := token.Generate("kmt")
		other.ID = id
		d, err := v.Check(ctx, validate.Request{Token: other.String()})
		if err != nil || d.Status != validate.NotFound {
			t.Fatalf("probe %d: %v %v", i, d.Status, err)
		}
	}
	if ev, co := rc.reads(); ev != 1 || co != 1 {
		t.Errorf("5 probes of one unknown id: %d eventual + %d consistent reads, want 1 + 1", ev, co)
	}
	a.Clock.Advance(11 * time.Second)
	if d, _ := v.Check(ctx, validate.Request{Token: probe}); d.Status != validate.NotFound {
		t.Fatal(d.Status)
	}
	if ev, co := rc.reads(); ev != 2 || co != 2 {
		t.Errorf("after the window: %d + %d reads, want it read again (2 + 2)", ev, co)
	}
}

// A flood of distinct unknown ids costs one eventually consistent read
// each, and strongly consistent ones only within the retry budget.
func TestUnknownIDFloodCostsOneReadEach(t *testing.T) {
	t.Parallel()
	a, v, rc := unknownFixture(t)
	ctx := context.Background()
	const n = 200
	for range n {
		if d, _ := v.Check(ctx, validate.Request{Token: unknownToken(t)}); d.Status != validate.NotFound {
			t.Fatal(d.Status)
		}
	}
	ev, co := rc.reads()
	if ev != n || co > 20 {
		t.Errorf("%d unknown ids at one instant: %d eventual + %d consistent reads, want %d + at most 20", n, ev, co, n)
	}
	// A second later the budget has refilled by 20.
	a.Clock.Advance(time.Second)
	for range n {
		v.Check(ctx, validate.Request{Token: unknownToken(t)})
	}
	if _, co2 := rc.reads(); co2-co > 20 {
		t.Errorf("a second later: %d more consistent reads, want at most 20", co2-co)
	}
}

// A token used before the eventually consistent read has caught up with
// its issue is still accepted: the strongly consistent read finds it.
func TestFreshTokenAcceptedThroughLag(t *testing.T) {
	t.Parallel()
	a, v, rc := unknownFixture(t)
	ctx := context.Background()
	issued, err := a.Service().Issue(ctx, manage.Caller{Ops: true}, manage.IssueRequest{Owner: "alice", Name: "fresh", Scopes: []string{"sample:call"}})
	if err != nil {
		t.Fatal(err)
	}
	rc.mu.Lock()
	rc.lagging["TOKEN#"+issued.Token.ID] = true
	rc.mu.Unlock()
	if d, err := v.Check(ctx, validate.Request{Token: issued.Plaintext}); err != nil || d.Status != validate.Valid {
		t.Fatalf("a fresh token behind a lagging replica: %v %v", d.Status, err)
	}
	if ev, co := rc.reads(); ev != 1 || co != 1 {
		t.Errorf("%d + %d reads, want 1 + 1", ev, co)
	}
}
