package validate_test

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"

	"github.com/keymint/keymint/internal/testkit"
	"github.com/keymint/keymint/shared/app/validatefn"
	"github.com/keymint/keymint/shared/manage"
	"github.com/keymint/keymint/shared/plan"
	"github.com/keymint/keymint/shared/store"
	"github.com/keymint/keymint/shared/validate"
)

// quotaEnv is a deployment whose default plan allows 5 requests a day per
// owner.
func quotaEnv(interval string) testkit.Env {
	return testkit.Env{
		"PLANS_JSON":         `{"plans": {"metered": {"scopes": ["orders:read"], "quota": {"requests": 5, "period": "day"}}, "open": {"scopes": ["orders:read"]}}}`,
		"DEFAULT_PLAN":       "metered",
		"LAST_USED_INTERVAL": interval,
		"VALIDATE_CACHE_TTL": "2s",
	}
}

type quotaRig struct {
	t   *testing.T
	a   *testkit.App
	v   *validate.Validator
	ctx context.Context
}

func newQuotaRig(t *testing.T, interval string) *quotaRig {
	a := testkit.NewApp(t, quotaEnv(interval))
	return &quotaRig{t: t, a: a, ctx: context.Background(),
		v: validate.NewValidator(a.Store, a.Keyring, a.Catalogue, a.Clock, validatefn.Options(a.App), a.Log)}
}

func (r *quotaRig) mint(owner, name string) string {
	r.t.Helper()
	iss, err := r.a.Service().Issue(r.ctx, manage.Caller{Ops: true}, manage.IssueRequest{Owner: owner, Name: name, Scopes: []string{"orders:read", "tokens:read"}})
	if err != nil {
		r.t.Fatal(err)
	}
	return iss.Plaintext
}

func (r *quotaRig) check(tok string) validate.Status {
	r.t.Helper()
	return r.checkPath(tok, "/orders")
}

func (r *quotaRig) checkPath(tok, path string) validate.Status {
	r.t.Helper()
	d, err := r.v.Check(r.ctx, validate.Request{Token: tok, Method: "GET", Path: path, SourceIP: "198.51.100.4"})
	if err != nil {
		r.t.Fatal(err)
	}
	return d.Status
}

// used is owner's counter for today's period, as the table holds it.
func (r *quotaRig) used(owner string) int64 {
	r.t.Helper()
	q := plan.Quota{Requests: 5, Period: plan.Day}
	period, _ := q.Window(r.a.Clock.Now())
	n, err := r.a.Store.OwnerUse(r.ctx, owner, period)
	if err != nil {
		r.t.Fatal(err)
	}
	return n
}

// With every use written (LAST_USED_INTERVAL 0) an owner's tokens together
// get exactly the quota: the counter holds every allowed use, the next is
// refused, other owners are not, and the next period starts afresh.
func TestQuotaIsExactWhenEveryUseIsWritten(t *testing.T) {
	t.Parallel()
	r := newQuotaRig(t, "0")
	one, two, other := r.mint("acme", "one"), r.mint("acme", "two"), r.mint("beta", "b")
	for i, tok := range []string{one, two, one, two, one} {
		if got := r.check(tok); got != validate.Valid {
			t.Fatalf("use %d: %s", i+1, got)
		}
		// keymint's own management API is not the metered API.
		if got := r.checkPath(tok, "/tokens"); got != validate.Valid {
			t.Fatalf("GET /tokens %d: %s", i+1, got)
		}
	}
	if got := r.used("acme"); got != 5 {
		t.Fatalf("acme's counter is %d after 5 allowed uses", got)
	}
	for _, tok := range []string{one, two} {
		if got := r.check(tok); got != validate.QuotaExceeded {
			t.Errorf("a use past the quota: %s, want quota_exceeded", got)
		}
	}
	if got := r.checkPath(one, "/tokens"); got != validate.Valid {
		t.Errorf("the management API over the quota: %s, want valid (an owner over its quota still manages its tokens)", got)
	}
	if got := r.used("acme"); got != 5 {
		t.Errorf("refused or management uses were counted: %d", got)
	}
	if got := r.check(other); got != validate.Valid {
		t.Errorf("another owner: %s", got)
	}
	// The next day is a new period.
	now := r.a.Clock.Now().UTC()
	r.a.Clock.Set(time.Date(now.Year(), now.Month(), now.Day()+1, 0, 0, 1, 0, time.UTC))
	if got := r.check(one); got != validate.Valid {
		t.Fatalf("the next day: %s", got)
	}
	if got := r.used("acme"); got != 1 {
		t.Errorf("the next day's counter: %d, want 1", got)
	}
}

// With writes every LAST_USED_INTERVAL, a container learns the owner is
// over only at its next write: it may serve one interval's uses beyond the
// quota (the documented bound), every one of them is counted, and it
// refuses from that write on.
func TestQuotaOvershootIsOneInterval(t *testing.T) {
	t.Parallel()
	r := newQuotaRig(t, "60")
	tok := r.mint("acme", "one")
	allowed := 0
	for range 12 { // the first use writes; the rest wait for the interval
		if r.check(tok) == validate.Valid {
			allowed++
		}
	}
	if allowed != 12 || r.used("acme") != 1 {
		t.Fatalf("within one interval: %d allowed, counter %d; want 12 and 1 (only the first use written)", allowed, r.used("acme"))
	}
	r.a.Clock.Advance(61 * time.Second)
	if got := r.check(tok); got != validate.Valid {
		t.Fatalf("the use that writes: %s (it was decided before the write)", got)
	}
	if got := r.used("acme"); got != 13 {
		t.Errorf("counter after the write: %d, want all 13 allowed uses", got)
	}
	if got := r.check(tok); got != validate.QuotaExceeded {
		t.Errorf("after the write learned the total: %s", got)
	}
}

// Moving an owner to a plan without a quota lifts it once the move reaches
// the token (and the cache turns over).
func TestQuotaFollowsThePlan(t *testing.T) {
	t.Parallel()
	r := newQuotaRig(t, "0")
	tok := r.mint("acme", "one")
	for range 5 {
		r.check(tok)
	}
	if got := r.check(tok); got != validate.QuotaExceeded {
		t.Fatalf("past the quota: %s", got)
	}
	open := "open"
	if _, err := r.a.Service().SetOwnerPolicy(r.ctx, manage.Caller{Ops: true}, "acme", manage.OwnerPolicy{Plan: &open}, time.Now().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	r.a.Clock.Advance(2 * time.Second)
	if got := r.check(tok); got != validate.Valid {
		t.Errorf("on a plan without a quota: %s", got)
	}
}

// An owner's own quota (an admin's override) is the one the authorizer
// counts against, from the token it reads.
func TestQuotaOverride(t *testing.T) {
	t.Parallel()
	r := newQuotaRig(t, "0")
	tok := r.mint("acme", "one")
	if _, err := r.a.Service().SetOwnerPolicy(r.ctx, manage.Caller{Ops: true}, "acme", manage.OwnerPolicy{Quota: &plan.Quota{Requests: 2, Period: plan.Day}}, time.Now().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	r.a.Clock.Advance(2 * time.Second) // past the decision cache
	for i := range 2 {
		if got := r.check(tok); got != validate.Valid {
			t.Fatalf("use %d within the override: %s", i+1, got)
		}
	}
	if got := r.check(tok); got != validate.QuotaExceeded {
		t.Errorf("past the override's 2 (the plan allows 5): %s", got)
	}
}

// failingUse fails the next owner-use writes (UpdateItem on an owner's
// USE# counter) with err, after applying them when applied is set: as a
// write whose answer was lost.
type failingUse struct {
	store.API
	err     error
	applied bool
	left    atomic.Int32
}

func (f *failingUse) UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, opt ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	sk, _ := in.Key["SK"].(*types.AttributeValueMemberS)
	if sk == nil || !strings.HasPrefix(sk.Value, "USE#") || f.left.Add(-1) < 0 {
		return f.API.UpdateItem(ctx, in, opt...)
	}
	if f.applied {
		if _, err := f.API.UpdateItem(ctx, in, opt...); err != nil {
			return nil, err
		}
	}
	return nil, f.err
}

// A failed counter write keeps its uses for the next write only when
// DynamoDB refused it (a client fault, such as throttling); one whose
// outcome is unknown (applied, its answer lost) drops them rather than
// count them twice.
func TestQuotaCountsAFailedWriteOnce(t *testing.T) {
	t.Parallel()
	throttled := &smithy.GenericAPIError{Code: "ThrottlingException", Message: "slow down", Fault: smithy.FaultClient}
	for _, c := range []struct {
		name    string
		err     error
		applied bool
		want    int64 // the counter after 3 uses, the first one's write failing
	}{
		{"refused: kept for the next write", throttled, false, 3},
		{"applied, answer lost: not added again", context.DeadlineExceeded, true, 3},
		{"unknown, not applied: dropped", context.DeadlineExceeded, false, 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			a := testkit.NewApp(t, quotaEnv("0"))
			api := &failingUse{API: a.DB, err: c.err, applied: c.applied}
			api.left.Store(1)
			st := store.New(api, a.Table, a.Store.Rules(), store.Eventual)
			r := &quotaRig{t: t, a: a, ctx: context.Background(),
				v: validate.NewValidator(st, a.Keyring, a.Catalogue, a.Clock, validatefn.Options(a.App), a.Log)}
			tok := r.mint("acme", "one")
			for i := range 3 {
				if got := r.check(tok); got != validate.Valid {
					t.Fatalf("use %d: %s", i+1, got)
				}
			}
			if got := r.used("acme"); got != c.want {
				t.Errorf("counter %d, want %d", got, c.want)
			}
		})
	}
}
