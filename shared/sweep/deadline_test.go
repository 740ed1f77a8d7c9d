package sweep_test

import (
	"context"
	"testing"
	"time"

	"github.com/keymint/keymint/shared/manage"
	"github.com/keymint/keymint/shared/sweep"
)

// TestWritesMoveTheDeadline follows one token through the writes that move
// its next lifecycle deadline (GSI2SK) and checks, with the sweeper's own
// GSI2 query, that it becomes due exactly then: not a second earlier.
func TestWritesMoveTheDeadline(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	ctx := context.Background()
	svc := f.Service()
	ops := manage.Caller{Ops: true}
	probe := sweep.New(f.store, f.notes, f.Clock, f.Log, sweep.NowAllowed)
	at := func(d time.Duration) *time.Time { t := baseTime().Add(d); return &t }
	ninety := 90
	var id string

	steps := []struct {
		name string
		at   time.Duration // clock when the write happens
		do   func() error
		due  time.Duration
	}{
		{name: "issue for 90 days: inactive after 30", at: 0, due: days(30), do: func() error {
			iss, err := svc.Issue(ctx, ops, manage.IssueRequest{Name: "ci", Owner: "alice", Scopes: []string{"tokens:read"}, ExpiresInDays: &ninety})
			if err == nil {
				id = iss.Token.ID
			}
			return err
		}},
		{name: "use restarts inactivity", at: days(1), due: days(31), do: func() error {
			_, err := f.Store.Touch(ctx, f.token(t, id), f.Clock.Now(), "203.0.113.7", 5*time.Minute)
			return err
		}},
		{name: "deactivate: no inactivity; the expiry notice is next", at: days(2), due: days(83), do: func() error {
			_, err := svc.Deactivate(ctx, ops, id)
			return err
		}},
		{name: "activate restarts inactivity", at: days(3), due: days(33), do: func() error {
			_, err := svc.Activate(ctx, ops, id)
			return err
		}},
		{name: "edit expiry closer, to day 20: notice on day 13", at: days(4), due: days(13), do: func() error {
			_, err := svc.Edit(ctx, ops, id, manage.EditRequest{ExpiresAt: at(days(20))})
			return err
		}},
		{name: "notice sent: next is expiry", at: days(15), due: days(20), do: func() error {
			_, err := probe.Run(ctx, sweep.Options{})
			return err
		}},
		{name: "regenerate: a fresh 20 days (the lifetime since the secret was made), notice again", at: days(15), due: days(28), do: func() error {
			_, err := svc.Regenerate(ctx, ops, id, 0)
			return err
		}},
		{name: "edit expiry closer, to day 30: notice on day 23", at: days(15), due: days(23), do: func() error {
			_, err := svc.Edit(ctx, ops, id, manage.EditRequest{ExpiresAt: at(days(30))})
			return err
		}},
		{name: "revoke: deleted after retention and a day", at: days(16), due: days(47), do: func() error {
			_, err := svc.Revoke(ctx, ops, id)
			return err
		}},
	}
	prev := ""
	for _, s := range steps {
		f.Clock.Set(baseTime().Add(s.at))
		if err := s.do(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		tok := f.token(t, id)
		if tok.GSI2SK == prev {
			t.Errorf("%s: GSI2SK stayed %s", s.name, prev)
		}
		prev = tok.GSI2SK
		for _, c := range []struct {
			at   time.Duration
			want int
		}{{s.due - time.Second, 0}, {s.due, 1}} {
			r, err := probe.Run(ctx, sweep.Options{DryRun: true, Now: baseTime().Add(c.at)})
			if err != nil {
				t.Fatal(err)
			}
			if r.Examined != c.want {
				t.Errorf("%s: at day %.4f examined %d, want %d (GSI2SK %s)", s.name, c.at.Hours()/24, r.Examined, c.want, tok.GSI2SK)
			}
		}
	}
}
