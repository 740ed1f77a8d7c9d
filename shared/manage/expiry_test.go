package manage_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/keymint/keymint/internal/testkit"
	"github.com/keymint/keymint/shared/app/managefn"
	"github.com/keymint/keymint/shared/manage"
	"github.com/keymint/keymint/shared/store"
)

// tickingClock moves a second forward each time it is read, as the wall
// clock may between two readings in one request.
type tickingClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *tickingClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(time.Second)
	return c.now
}

// An expiry asked for as an instant is the token's expiry to the second,
// however many seconds pass while the request is served; one asked for
// in days counts from the moment the token is made. Fails if the instant
// is rebuilt from a lifetime measured at another reading of the clock.
func TestAbsoluteExpiryIsKeptToTheSecond(t *testing.T) {
	t.Parallel()
	a := testkit.NewApp(t, nil)
	clk := &tickingClock{now: testkit.Start}
	svc := manage.New(a.Store, a.Keyring, a.Catalogue, clk, managefn.Options(a.App))
	ctx := context.Background()
	at := testkit.Start.Add(45*24*time.Hour + 4*time.Hour + 59*time.Minute + 59*time.Second)
	iss, err := svc.Issue(ctx, manage.Caller{Ops: true}, manage.IssueRequest{Owner: "alice", Name: "quarterly", Scopes: []string{"tokens:read"}, ExpiresAt: &at})
	if err != nil {
		t.Fatal(err)
	}
	rec, err := a.Store.Record(ctx, iss.Token.ID, store.Consistent)
	if err != nil {
		t.Fatal(err)
	}
	if rec.ExpiresAt != at.Unix() || iss.Token.ExpiresAt != at.Unix() {
		t.Errorf("expiresAt stored %d, answered %d; asked %d", rec.ExpiresAt, iss.Token.ExpiresAt, at.Unix())
	}
	if want := at.Unix() - rec.CreatedAt; rec.Lifetime != want {
		t.Errorf("lifetime %d, want %d (from the token's making to the instant asked)", rec.Lifetime, want)
	}

	days := 7
	rel, err := svc.Issue(ctx, manage.Caller{Ops: true}, manage.IssueRequest{Owner: "alice", Name: "weekly", Scopes: []string{"tokens:read"}, ExpiresInDays: &days})
	if err != nil {
		t.Fatal(err)
	}
	if got := rel.Token.ExpiresAt - rel.Token.CreatedAt; got != int64(days*24*3600) {
		t.Errorf("a %d-day token lives %d s from its making", days, got)
	}
}
