package sweep_test

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/keymint/keymint/shared/audit"
	"github.com/keymint/keymint/shared/lifecycle"
	"github.com/keymint/keymint/shared/store"
	"github.com/keymint/keymint/shared/sweep"
)

// want is a token's expected state after the sweep.
type want struct {
	gone     bool
	status   string // default active
	expired  bool   // expiredAt recorded at the sweep's moment
	notified bool   // notifiedAt recorded at the sweep's moment
	events   []audit.Action
}

func TestSweepRules(t *testing.T) {
	t.Parallel()
	a := tokID(1)
	b := tokID(2)
	tests := []struct {
		name    string
		tokens  []spec
		at      time.Duration
		report  sweep.Report
		want    map[string]want
		notices []string
	}{
		{
			name:   "unused for INACTIVE_AFTER_DAYS turns inactive",
			tokens: []spec{{id: a, expires: days(200)}},
			at:     days(30),
			report: sweep.Report{Examined: 1, Inactivated: 1},
			want:   map[string]want{a: {status: lifecycle.StatusInactive, events: []audit.Action{audit.Inactivate}}},
		},
		{
			name:   "recent use keeps it active and unread",
			tokens: []spec{{id: a, expires: days(200), lastUsed: days(20)}},
			at:     days(30),
			want:   map[string]want{a: {}},
		},
		{
			name:   "past expiresAt is marked expired, status untouched",
			tokens: []spec{{id: a, expires: days(10), lastUsed: days(9), notified: days(3)}},
			at:     days(10),
			report: sweep.Report{Examined: 1, Expired: 1},
			want:   map[string]want{a: {expired: true, events: []audit.Action{audit.Expire}}},
		},
		{
			name:    "expiring within 7 days gets one notice",
			tokens:  []spec{{id: a, expires: days(50), lastUsed: days(40)}},
			at:      days(43) + time.Hour,
			report:  sweep.Report{Examined: 1, Notified: 1},
			want:    map[string]want{a: {notified: true, events: []audit.Action{audit.Notify}}},
			notices: []string{a},
		},
		{
			name:    "unused and expiring soon: inactive and noticed",
			tokens:  []spec{{id: a, expires: days(35)}},
			at:      days(30),
			report:  sweep.Report{Examined: 1, Inactivated: 1, Notified: 1},
			want:    map[string]want{a: {status: lifecycle.StatusInactive, notified: true, events: []audit.Action{audit.Inactivate, audit.Notify}}},
			notices: []string{a},
		},
		{
			name:    "a deactivated token still gets its notice",
			tokens:  []spec{{id: a, status: lifecycle.StatusInactive, expires: days(50)}},
			at:      days(44),
			report:  sweep.Report{Examined: 1, Notified: 1},
			want:    map[string]want{a: {status: lifecycle.StatusInactive, notified: true, events: []audit.Action{audit.Notify}}},
			notices: []string{a},
		},
		{
			name:   "expiresTTL passed by a day: deleted",
			tokens: []spec{{id: a, expires: days(10), lastUsed: days(5), expired: days(10)}},
			at:     days(41),
			report: sweep.Report{Examined: 1, Deleted: 1},
			want:   map[string]want{a: {gone: true, events: []audit.Action{audit.Delete}}},
		},
		{
			name:   "a second short of the backstop: left alone",
			tokens: []spec{{id: a, expires: days(10), lastUsed: days(5), expired: days(10)}},
			at:     days(41) - time.Second,
			want:   map[string]want{a: {expired: false}},
		},
		{
			name:   "revoked waits for its retention",
			tokens: []spec{{id: a, status: lifecycle.StatusRevoked, expires: days(10), revoked: days(5)}},
			at:     days(20),
			want:   map[string]want{a: {status: lifecycle.StatusRevoked}},
		},
		{
			name:   "revoked past retention plus a day: deleted",
			tokens: []spec{{id: a, status: lifecycle.StatusRevoked, expires: days(10), revoked: days(5)}},
			at:     days(36),
			report: sweep.Report{Examined: 1, Deleted: 1},
			want:   map[string]want{a: {gone: true, events: []audit.Action{audit.Delete}}},
		},
		{
			name: "expired token whose name a newer token took is still marked",
			tokens: []spec{
				{id: a, name: "ci", expires: days(10), lastUsed: days(9), notified: days(3)},
				{id: b, name: "ci", created: days(10) + time.Minute, expires: days(200)},
			},
			at:     days(10) + 2*time.Minute,
			report: sweep.Report{Examined: 1, Expired: 1},
			want:   map[string]want{a: {expired: true, events: []audit.Action{audit.Expire}}, b: {}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, nil)
			f.seed(t, tc.tokens...)
			before := map[string]*store.Record{}
			for _, s := range tc.tokens {
				before[s.id] = f.token(t, s.id)
			}

			got := f.sweepAt(t, tc.at, sweep.Options{})
			if got != tc.report {
				t.Errorf("report = %+v, want %+v", got, tc.report)
			}
			now := baseTime().Add(tc.at).Unix()
			for id, w := range tc.want {
				f.checkToken(t, id, before[id], w, now)
			}
			if got := f.notes.ids(); !slices.Equal(got, tc.notices) {
				t.Errorf("notices for %v, want %v", got, tc.notices)
			}

			// Everything handled moved past now: an immediate second run
			// reads nothing and changes nothing.
			snap := f.snapshot(t)
			again := f.sweepAt(t, tc.at, sweep.Options{})
			if again != (sweep.Report{}) {
				t.Errorf("second sweep = %+v, want nothing", again)
			}
			if !reflect.DeepEqual(snap, f.snapshot(t)) {
				t.Error("second sweep changed the table")
			}
		})
	}
}

func (f *fixture) checkToken(t *testing.T, id string, before *store.Record, w want, now int64) {
	t.Helper()
	got, err := f.Store.Record(context.Background(), id, true)
	if w.gone {
		if !errors.Is(err, store.ErrNotFound) {
			t.Errorf("%s: still there (err %v)", id, err)
		}
		if res := f.reservation(t, before.Owner, before.Name); res != "" {
			t.Errorf("%s: name reservation still held by %s", id, res)
		}
	} else {
		if err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		status := w.status
		if status == "" {
			status = lifecycle.StatusActive
		}
		if got.Status != status {
			t.Errorf("%s: status %q, want %q", id, got.Status, status)
		}
		wantExpired, wantNotified := before.ExpiredAt, before.NotifiedAt
		if w.expired {
			wantExpired = now
		}
		if w.notified {
			wantNotified = now
		}
		if got.ExpiredAt != wantExpired || got.NotifiedAt != wantNotified {
			t.Errorf("%s: expiredAt %d notifiedAt %d, want %d %d", id, got.ExpiredAt, got.NotifiedAt, wantExpired, wantNotified)
		}
		if got.ExpiresAt != before.ExpiresAt || got.LastUsedAt != before.LastUsedAt {
			t.Errorf("%s: sweep changed facts it must not: %+v", id, got)
		}
	}
	if evs := f.sweeperEvents(t, id); !slices.Equal(evs, w.events) {
		t.Errorf("%s: sweeper audit events %v, want %v", id, evs, w.events)
	}
}

// reservation returns the token id holding owner's name, or "".
func (f *fixture) reservation(t *testing.T, owner, name string) string {
	t.Helper()
	out, err := f.DB.GetItem(context.Background(), &dynamodb.GetItemInput{
		TableName:      aws.String(f.Table),
		Key:            map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: "NAME#" + owner + "#" + name}, "SK": &types.AttributeValueMemberS{Value: "NAME"}},
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		t.Fatal(err)
	}
	if id, ok := out.Item["tokenId"].(*types.AttributeValueMemberS); ok {
		return id.Value
	}
	return ""
}

// mixed seeds n tokens across every rule (and some not due at days(60)),
// returning the report one sweep at days(60) must give.
func mixed(n int) ([]spec, sweep.Report) {
	var specs []spec
	var rep sweep.Report
	for i := range n {
		s := spec{id: tokID(i)}
		switch i % 6 {
		case 0: // inactive
			s.expires, s.lastUsed = days(300), days(10)
			rep.Inactivated++
		case 1: // expire
			s.expires, s.lastUsed, s.notified = days(59), days(50), days(52)
			rep.Expired++
		case 2: // notice
			s.expires, s.lastUsed = days(65), days(55)
			rep.Notified++
		case 3: // backstop
			s.expires, s.lastUsed, s.expired = days(25), days(20), days(25)
			rep.Deleted++
		case 4: // inactive and notice
			s.expires = days(62)
			s.lastUsed = days(29)
			rep.Inactivated++
			rep.Notified++
		case 5: // not due
			s.expires, s.lastUsed = days(300), days(50)
			rep.Examined--
		}
		rep.Examined++
		specs = append(specs, s)
	}
	return specs, rep
}

func TestDryRunWritesNothing(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	specs, want := mixed(24)
	f.seed(t, specs...)
	snap := f.snapshot(t)
	writes := f.api.writes.Load()

	dry := f.sweepAt(t, days(60), sweep.Options{DryRun: true})
	wantDry := want
	wantDry.DryRun = true
	if dry != wantDry {
		t.Errorf("dry run = %+v, want %+v", dry, wantDry)
	}
	if n := f.api.writes.Load() - writes; n != 0 {
		t.Errorf("dry run wrote %d transactions", n)
	}
	if !reflect.DeepEqual(snap, f.snapshot(t)) {
		t.Error("dry run changed the table")
	}
	if ids := f.notes.ids(); len(ids) != 0 {
		t.Errorf("dry run sent notices for %v", ids)
	}

	// What the dry run announced is what a real run does.
	if real := f.sweepAt(t, days(60), sweep.Options{}); real != want {
		t.Errorf("real run = %+v, want %+v", real, want)
	}
	if n := len(f.notes.ids()); n != want.Notified {
		t.Errorf("real run sent %d notices, want %d", n, want.Notified)
	}
}

func TestConcurrentSweepsEndLikeOne(t *testing.T) {
	t.Parallel()
	specs, want := mixed(120)
	one := newFixture(t, nil)
	two := newFixture(t, nil)
	one.seed(t, specs...)
	two.seed(t, specs...)

	if got := one.sweepAt(t, days(60), sweep.Options{}); got != want {
		t.Fatalf("single sweep = %+v, want %+v", got, want)
	}

	two.Clock.Set(baseTime().Add(days(60)))
	var wg sync.WaitGroup
	reports := make([]sweep.Report, 2)
	errs := make([]error, 2)
	for i := range reports {
		sw := sweep.New(two.store, two.notes, two.Clock, two.Log, sweep.ClockOnly)
		sw.SetPageSize(7) // many small pages: the runs interleave more
		wg.Go(func() { reports[i], errs[i] = sw.Run(context.Background(), sweep.Options{}) })
	}
	wg.Wait()
	var sum sweep.Report
	for i, r := range reports {
		if errs[i] != nil {
			t.Fatalf("run %d: %v", i, errs[i])
		}
		sum.Inactivated += r.Inactivated
		sum.Expired += r.Expired
		sum.Deleted += r.Deleted
		sum.Notified += r.Notified
	}
	if sum.Inactivated != want.Inactivated || sum.Expired != want.Expired || sum.Deleted != want.Deleted || sum.Notified != want.Notified {
		t.Errorf("two runs did %+v between them, want %+v", sum, want)
	}
	if !reflect.DeepEqual(one.snapshot(t), two.snapshot(t)) {
		t.Error("two concurrent sweeps left a different table than one")
	}
	// At least once: a race may repeat a notice, never skip one.
	got := slices.Compact(two.notes.ids())
	if !slices.Equal(got, one.notes.ids()) {
		t.Errorf("noticed %v, want %v", got, one.notes.ids())
	}
}

func TestEmptyDueSetReadsNothing(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	specs, _ := mixed(12)
	f.seed(t, specs...)
	got := f.sweepAt(t, days(5), sweep.Options{})
	if got != (sweep.Report{}) {
		t.Errorf("report = %+v, want nothing", got)
	}
	if q, n := f.api.queries.Load(), f.api.itemsRead(); q != store.SweepShards || n != 0 {
		t.Errorf("%d queries read %d items, want %d empty queries", q, n, store.SweepShards)
	}
}

func TestReadsOnlyWhatIsDue(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	var specs []spec
	for i := range 60 {
		s := spec{id: tokID(i), expires: days(300), lastUsed: days(50)} // not due
		if i%10 == 0 {
			s.lastUsed = days(10) // inactive at days(40)
		}
		specs = append(specs, s)
	}
	f.seed(t, specs...)
	got := f.sweepAt(t, days(60), sweep.Options{})
	if got != (sweep.Report{Examined: 6, Inactivated: 6}) {
		t.Errorf("report = %+v", got)
	}
	if n := f.api.itemsRead(); n != 6 {
		t.Errorf("read %d items for 6 due", n)
	}
}

func TestPagesAndLimit(t *testing.T) {
	t.Parallel()
	specs, want := mixed(60)
	tests := []struct {
		name     string
		pageSize int32
		limits   []int // one run per limit, in order
		examined []int
	}{
		{name: "small pages cover everything", pageSize: 2, limits: []int{0, 0}, examined: []int{want.Examined, 0}},
		{name: "limit caps a run, the next resumes", pageSize: 100, limits: []int{7, 7, 0, 0}, examined: []int{7, 7, want.Examined - 14, 0}},
		{name: "limit smaller than a page", pageSize: 3, limits: []int{5, 0}, examined: []int{5, want.Examined - 5}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, nil)
			f.seed(t, specs...)
			f.sw.SetPageSize(tc.pageSize)
			var sum sweep.Report
			for i, limit := range tc.limits {
				r := f.sweepAt(t, days(60), sweep.Options{Limit: limit})
				if r.Examined != tc.examined[i] {
					t.Errorf("run %d (limit %d): examined %d, want %d", i, limit, r.Examined, tc.examined[i])
				}
				sum.Examined += r.Examined
				sum.Inactivated += r.Inactivated
				sum.Expired += r.Expired
				sum.Deleted += r.Deleted
				sum.Notified += r.Notified
			}
			if sum != want {
				t.Errorf("runs did %+v in total, want %+v", sum, want)
			}
		})
	}
}

func TestNegativeLimitIsRefused(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	_, err := f.sw.Run(context.Background(), sweep.Options{Limit: -1})
	if !errors.Is(err, sweep.ErrInvalid) {
		t.Errorf("err = %v, want ErrInvalid", err)
	}
}

func TestStopsBeforeTheDeadlineAndResumes(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	specs, want := mixed(30)
	f.seed(t, specs...)
	f.Clock.Set(baseTime().Add(days(60)))
	snap := f.snapshot(t)

	// A deadline already inside the margin: the run must not start work.
	f.sw.SetMinMargin(time.Hour)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	r, err := f.sw.Run(ctx, sweep.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Examined != 0 || f.api.queries.Load() != 0 {
		t.Errorf("examined %d with %d queries past its budget", r.Examined, f.api.queries.Load())
	}
	if !reflect.DeepEqual(snap, f.snapshot(t)) {
		t.Error("a run out of time changed the table")
	}

	// Nothing was persisted, nothing is lost: the next run does it all.
	f.sw.SetMinMargin(5 * time.Second)
	r, err = f.sw.Run(ctx, sweep.Options{})
	if err != nil {
		t.Fatal(err)
	}
	r.DurationMs = 0
	if r != want {
		t.Errorf("resumed run = %+v, want %+v", r, want)
	}
}

func TestBudgetMargin(t *testing.T) {
	t.Parallel()
	start := time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name    string
		timeout time.Duration // 0: no deadline
		want    time.Duration // stop this long after start
	}{
		{name: "no deadline: no budget"},
		{name: "lambda's 300 s: keeps 10 %", timeout: 300 * time.Second, want: 270 * time.Second},
		{name: "short timeout: keeps at least 5 s", timeout: 20 * time.Second, want: 15 * time.Second},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			if tc.timeout != 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithDeadline(ctx, start.Add(tc.timeout))
				defer cancel()
			}
			stop, bounded := sweep.StopAt(ctx, start, 5*time.Second)
			if bounded != (tc.timeout != 0) {
				t.Fatalf("bounded = %v", bounded)
			}
			if bounded && stop.Sub(start) != tc.want {
				t.Errorf("stops %s after start, want %s", stop.Sub(start), tc.want)
			}
		})
	}
}

func TestLostRaceCountsNothing(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	id := tokID(1)
	f.seed(t, spec{id: id, expires: days(200)})
	// A user's write lands between the sweeper's read and its write.
	var once sync.Once
	f.api.beforeWrite = func(ctx context.Context, _ *dynamodb.TransactWriteItemsInput) {
		once.Do(func() {
			tok := f.token(t, id)
			after := tok.Clone()
			after.Description = "edited meanwhile"
			if err := f.Store.Apply(ctx, baseTime().Add(days(30)), store.Change{Before: tok, After: after}); err != nil {
				t.Errorf("concurrent edit: %v", err)
			}
		})
	}
	if r := f.sweepAt(t, days(30), sweep.Options{}); r != (sweep.Report{Examined: 1}) {
		t.Errorf("report = %+v, want only examined", r)
	}
	if got := f.token(t, id); got.Status != lifecycle.StatusActive || got.Description != "edited meanwhile" {
		t.Errorf("token = %+v", got)
	}
	// The next run reads the fresh item and finishes the job.
	if r := f.sweepAt(t, days(30), sweep.Options{}); r != (sweep.Report{Examined: 1, Inactivated: 1}) {
		t.Errorf("next run = %+v", r)
	}
}

func TestUndeliveredNoticesAreRetried(t *testing.T) {
	t.Parallel()
	noticeOnly, both, fine := tokID(1), tokID(2), tokID(3)
	errBus := errors.New("bus unreachable")
	tests := []struct {
		name    string
		fail    []string
		failAll error
		first   sweep.Report
		retried []string
	}{
		{name: "some entries refused", fail: []string{noticeOnly, both},
			first: sweep.Report{Examined: 3, Inactivated: 1, Notified: 1}, retried: []string{noticeOnly, both}},
		{name: "notifier down", failAll: errBus,
			first: sweep.Report{Examined: 3, Inactivated: 1}, retried: []string{noticeOnly, both, fine}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, nil)
			f.seed(t,
				spec{id: noticeOnly, expires: days(35), lastUsed: days(20)},
				spec{id: both, expires: days(35)},
				spec{id: fine, expires: days(36), lastUsed: days(20)},
			)
			for _, id := range tc.fail {
				f.notes.fail[id] = true
			}
			f.notes.failAll = tc.failAll
			f.Clock.Set(baseTime().Add(days(30)))
			r, err := f.sw.Run(context.Background(), sweep.Options{})
			var de *sweep.DeliveryError
			if tc.failAll != nil && !errors.Is(err, tc.failAll) || tc.failAll == nil && !errors.As(err, &de) {
				t.Fatalf("err = %v, want the delivery failure reported", err)
			}
			r.DurationMs = 0
			if r != tc.first {
				t.Errorf("first run = %+v, want %+v", r, tc.first)
			}
			// The inactivation is not held back by the failed notice.
			if got := f.token(t, both); got.Status != lifecycle.StatusInactive || got.NotifiedAt != 0 {
				t.Errorf("%s: status %s notifiedAt %d", both, got.Status, got.NotifiedAt)
			}

			f.notes.fail, f.notes.failAll = map[string]bool{}, nil
			f.notes.sent = nil
			r = f.sweepAt(t, days(30), sweep.Options{})
			if want := (sweep.Report{Examined: len(tc.retried), Notified: len(tc.retried)}); r != want {
				t.Errorf("retry run = %+v, want %+v", r, want)
			}
			want := slices.Clone(tc.retried)
			slices.Sort(want)
			if got := f.notes.ids(); !slices.Equal(got, want) {
				t.Errorf("retried notices %v, want %v", got, want)
			}
		})
	}
}
