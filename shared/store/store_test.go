package store_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
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
)

var (
	day   = 24 * time.Hour
	now   = testkit.Start
	rules = lifecycle.Rules{InactiveAfter: 30 * day, DeleteAfterIdle: 90 * day, Retention: 30 * day, AuditRetention: 400 * day, DefaultLifetime: 30 * day, MaxLifetime: 366 * day}
)

type fixture struct {
	st    *store.Store
	db    *dynamodb.Client
	table string
}

func newFixture(t *testing.T) fixture {
	db, table := testkit.NewTable(t)
	return fixture{st: store.New(db, table, rules, store.Eventual), db: db, table: table}
}

func tok(id, owner, name string) *store.Record {
	return &store.Record{
		ID: fmt.Sprintf("%016s", id), Owner: owner, Name: name, Scopes: []string{"tokens:read"},
		SecretHash: []byte("hash"), KeyID: "k1", Status: lifecycle.StatusActive,
		CreatedAt: now.Unix(), UpdatedAt: now.Unix(), ExpiresAt: now.Add(30 * day).Unix(),
	}
}

func ev(t *store.Record, a audit.Action) *audit.Event {
	return &audit.Event{TokenID: t.ID, At: now, Action: a, Actor: "test"}
}

// items returns every item in the table, keyed "PK|SK".
func (f fixture) items(t *testing.T) map[string]map[string]types.AttributeValue {
	t.Helper()
	out := map[string]map[string]types.AttributeValue{}
	p := dynamodb.NewScanPaginator(f.db, &dynamodb.ScanInput{TableName: aws.String(f.table), ConsistentRead: aws.Bool(true)})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatalf("scan: %v", err)
		}
		for _, it := range page.Items {
			pk := it["PK"].(*types.AttributeValueMemberS).Value
			sk := it["SK"].(*types.AttributeValueMemberS).Value
			out[pk+"|"+sk] = it
		}
	}
	return out
}

func (f fixture) create(t *testing.T, x *store.Record) {
	t.Helper()
	if err := f.st.Apply(context.Background(), now, store.Change{After: x, Event: ev(x, audit.Issue)}); err != nil {
		t.Fatalf("create %s: %v", x.Name, err)
	}
}

func TestCreateWritesTokenReservationAndAuditTogether(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	x := tok("a", "alice", "ci")
	f.create(t, x)
	items := f.items(t)
	// The owner item registers the owner (the owners list) in the same
	// transaction.
	for _, k := range []string{"TOKEN#" + x.ID + "|META", "NAME#alice#ci|NAME", "OWNER#alice|META"} {
		if _, ok := items[k]; !ok {
			t.Errorf("missing item %s", k)
		}
	}
	var audits int
	for k := range items {
		if strings.HasPrefix(k, "TOKEN#"+x.ID+"|AUDIT#") {
			audits++
		}
	}
	if audits != 1 || len(items) != 4 {
		t.Fatalf("want token+reservation+owner+1 audit, got %d items (%d audit)", len(items), audits)
	}
	got, err := f.st.Record(context.Background(), x.ID, true)
	if err != nil {
		t.Fatal(err)
	}
	if got.Version != 1 || got.GSI1PK != "OWNER#alice" || !strings.HasPrefix(got.GSI2PK, "SWEEP#") {
		t.Fatalf("derived attributes: version=%d gsi1=%s gsi2=%s", got.Version, got.GSI1PK, got.GSI2PK)
	}
	wantTTL := min(x.ExpiresAt+int64(rules.Retention/time.Second), now.Unix()+int64(rules.DeleteAfterIdle/time.Second))
	if got.ExpiresTTL != wantTTL {
		t.Fatalf("expiresTTL = %d, want %d", got.ExpiresTTL, wantTTL)
	}
}

func TestCreateOutcomesWriteNothing(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		setup func(t *testing.T, f fixture)
		next  *store.Record
		want  error
	}{
		{"duplicate live name", func(t *testing.T, f fixture) { f.create(t, tok("a", "alice", "ci")) }, tok("b", "alice", "ci"), store.ErrNameTaken},
		{"same id twice", func(t *testing.T, f fixture) { f.create(t, tok("a", "alice", "one")) }, tok("a", "alice", "two"), store.ErrExists},
		{"disabled owner", func(t *testing.T, f fixture) {
			o, err := f.st.Owner(context.Background(), "alice")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.st.SetOwnerStatus(context.Background(), o, store.OwnerDisabled, audit.Event{At: now, Action: audit.OwnerStatus, Actor: "test"}); err != nil {
				t.Fatal(err)
			}
		}, tok("b", "alice", "ci"), store.ErrOwnerDisabled},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			c.setup(t, f)
			before := len(f.items(t))
			err := f.st.Apply(context.Background(), now, store.Change{After: c.next, Event: ev(c.next, audit.Issue)})
			if !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
			if after := len(f.items(t)); after != before {
				t.Fatalf("items %d -> %d: a refused create wrote something", before, after)
			}
		})
	}
}

func TestSameNameOtherOwnerIsFine(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.create(t, tok("a", "alice", "ci"))
	f.create(t, tok("b", "bob", "ci"))
}

func TestOptimisticLock(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	x := tok("a", "alice", "ci")
	f.create(t, x)
	ctx := context.Background()
	read, _ := f.st.Record(ctx, x.ID, store.Consistent)

	first := read.Clone()
	first.Description = "first"
	if err := f.st.Apply(ctx, now, store.Change{Before: read, After: first, Event: ev(x, audit.Edit)}); err != nil {
		t.Fatal(err)
	}
	second := read.Clone()
	second.Description = "second"
	err := f.st.Apply(ctx, now, store.Change{Before: read, After: second, Event: ev(x, audit.Edit)})
	if !errors.Is(err, store.ErrConflict) {
		t.Fatalf("stale write: err = %v, want ErrConflict", err)
	}
	got, _ := f.st.Record(ctx, x.ID, store.Consistent)
	if got.Description != "first" || got.Version != 2 {
		t.Fatalf("got description %q version %d", got.Description, got.Version)
	}
}

func TestTouchInvalidatesStaleManagementWrite(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	x := tok("a", "alice", "ci")
	x.ExpiresAt = now.Add(300 * day).Unix() // the inactivity deadline comes first
	f.create(t, x)
	ctx := context.Background()
	read, _ := f.st.Record(ctx, x.ID, store.Consistent)
	wrote, err := f.st.Touch(ctx, read, now.Add(time.Hour), "10.0.0.1", 5*time.Minute)
	if err != nil || !wrote {
		t.Fatalf("touch: wrote=%v err=%v", wrote, err)
	}
	// A second touch inside the interval does not write.
	again, _ := f.st.Record(ctx, x.ID, store.Consistent)
	if wrote, err := f.st.Touch(ctx, again, now.Add(time.Hour+time.Minute), "10.0.0.2", 5*time.Minute); err != nil || wrote {
		t.Fatalf("touch within interval: wrote=%v err=%v", wrote, err)
	}
	edit := read.Clone()
	edit.Description = "stale"
	if err := f.st.Apply(ctx, now, store.Change{Before: read, After: edit}); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("write from a read older than the touch: err = %v, want ErrConflict", err)
	}
	got, _ := f.st.Record(ctx, x.ID, store.Consistent)
	if got.LastUsedAt != now.Add(time.Hour).Unix() || got.LastUsedIP != "10.0.0.1" {
		t.Fatalf("lastUsed = %d %s", got.LastUsedAt, got.LastUsedIP)
	}
	if got.GSI2SK <= read.GSI2SK {
		t.Fatalf("use must move the sweeper deadline later: %s -> %s", read.GSI2SK, got.GSI2SK)
	}
}

func TestRevokeFreesNameAndRenameMovesReservation(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	x := tok("a", "alice", "ci")
	f.create(t, x)
	read, _ := f.st.Record(ctx, x.ID, store.Consistent)

	renamed := read.Clone()
	renamed.Name = "deploy"
	if err := f.st.Apply(ctx, now, store.Change{Before: read, After: renamed, Event: ev(x, audit.Edit)}); err != nil {
		t.Fatal(err)
	}
	items := f.items(t)
	if _, ok := items["NAME#alice#ci|NAME"]; ok {
		t.Fatal("old name still reserved after rename")
	}
	if _, ok := items["NAME#alice#deploy|NAME"]; !ok {
		t.Fatal("new name not reserved after rename")
	}
	f.create(t, tok("b", "alice", "ci")) // old name is free

	read, _ = f.st.Record(ctx, x.ID, store.Consistent)
	revoked := read.Clone()
	revoked.Status, revoked.RevokedAt = lifecycle.StatusRevoked, now.Unix()
	if err := f.st.Apply(ctx, now, store.Change{Before: read, After: revoked, Event: ev(x, audit.Revoke)}); err != nil {
		t.Fatal(err)
	}
	f.create(t, tok("c", "alice", "deploy")) // revoked token's name is free
	got, _ := f.st.Record(ctx, x.ID, store.Consistent)
	if got.ExpiresTTL != now.Unix()+int64(rules.Retention/time.Second) {
		t.Fatalf("revoked expiresTTL = %d, want revokedAt + retention", got.ExpiresTTL)
	}
}

func TestExpiredTokensNameCanBeReusedAndItsRevokeKeepsTheNewReservation(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	old := tok("a", "alice", "ci")
	old.ExpiresAt = now.Add(-time.Hour).Unix()
	f.create(t, old)
	f.create(t, tok("b", "alice", "ci"))

	read, _ := f.st.Record(ctx, old.ID, store.Consistent)
	revoked := read.Clone()
	revoked.Status, revoked.RevokedAt = lifecycle.StatusRevoked, now.Unix()
	if err := f.st.Apply(ctx, now, store.Change{Before: read, After: revoked}); err != nil {
		t.Fatal(err)
	}
	res := f.items(t)["NAME#alice#ci|NAME"]
	var r struct {
		TokenID string `dynamodbav:"tokenId"`
	}
	if err := attributevalue.UnmarshalMap(res, &r); err != nil || r.TokenID != fmt.Sprintf("%016s", "b") {
		t.Fatalf("reservation now held by %q (err %v), want the new token", r.TokenID, err)
	}
}

func TestSingleTokenStyleSwapInOneTransaction(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	old := tok("a", "alice", "ci")
	f.create(t, old)
	read, _ := f.st.Record(ctx, old.ID, store.Consistent)
	revoked := read.Clone()
	revoked.Status, revoked.RevokedAt = lifecycle.StatusRevoked, now.Unix()
	next := tok("b", "alice", "ci")
	err := f.st.Apply(ctx, now,
		store.Change{After: next, Event: ev(next, audit.Issue)},
		store.Change{Before: read, After: revoked, Event: ev(old, audit.Revoke)})
	if err != nil {
		t.Fatalf("swap under the same name: %v", err)
	}
	got, _ := f.st.Record(ctx, old.ID, store.Consistent)
	if got.Status != lifecycle.StatusRevoked {
		t.Fatalf("old token status %s", got.Status)
	}
}

func TestListByOwnerPagesAndCursorIsScoped(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	for i := 0; i < 5; i++ {
		x := tok(fmt.Sprint(i), "alice", fmt.Sprintf("t%d", i))
		x.CreatedAt = now.Add(time.Duration(i) * time.Minute).Unix()
		f.create(t, x)
	}
	f.create(t, tok("z", "bob", "other"))

	var seen []string
	cursor := ""
	for {
		page, next, err := f.st.ListByOwner(ctx, "alice", "", now, 2, cursor)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range page {
			seen = append(seen, x.Name)
		}
		if next == "" {
			break
		}
		cursor = next
		if _, _, err := f.st.ListByOwner(ctx, "bob", "", now, 2, cursor); !errors.Is(err, store.ErrBadCursor) {
			t.Fatalf("alice's cursor on bob's list: err = %v, want ErrBadCursor", err)
		}
	}
	if strings.Join(seen, ",") != "t4,t3,t2,t1,t0" {
		t.Fatalf("newest first, all pages: %v", seen)
	}
	for _, bad := range []string{"!!", "e30", "bm90IGpzb24"} {
		if _, _, err := f.st.ListByOwner(ctx, "alice", "", now, 2, bad); !errors.Is(err, store.ErrBadCursor) {
			t.Errorf("cursor %q: err = %v, want ErrBadCursor", bad, err)
		}
	}
}

func TestListStatusFilter(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	active := tok("a", "alice", "active")
	expired := tok("b", "alice", "expired")
	expired.ExpiresAt = now.Add(-time.Minute).Unix()
	revoked := tok("c", "alice", "revoked")
	revoked.Status, revoked.RevokedAt = "revoked", now.Unix()
	f.create(t, active)
	f.create(t, expired)
	f.create(t, revoked)
	for status, want := range map[string][]string{
		"active": {"active"}, "expired": {"expired"}, "revoked": {"revoked"},
		store.FilterLive: {"expired", "active"}, "": {"revoked", "expired", "active"},
	} {
		page, _, err := f.st.ListByOwner(ctx, "alice", status, now, 10, "")
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, tk := range page {
			got = append(got, tk.Name)
		}
		if !slices.Equal(got, want) {
			t.Errorf("status=%q: got %v, want %v (newest first)", status, got, want)
		}
	}
}

func TestUsageLogAddsCounts(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	id := fmt.Sprintf("%016s", "a")
	steps := []struct {
		at time.Duration
		n  int64
	}{{0, 3}, {time.Minute, 2}, {6 * time.Minute, 2}}
	for _, s := range steps {
		if err := f.st.RecordUse(ctx, id, "2001:db8::1", s.n, now.Add(s.at)); err != nil {
			t.Fatalf("at %v: %v", s.at, err)
		}
	}
	uses, _, err := f.st.Usage(ctx, id, now, 10, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(uses) != 1 || uses[0].Count != 7 || uses[0].FirstSeen != now.Unix() || uses[0].LastSeen != now.Add(6*time.Minute).Unix() {
		t.Fatalf("usage = %+v", uses)
	}
}

func TestAuditNewestFirst(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	x := tok("a", "alice", "ci")
	f.create(t, x)
	read, _ := f.st.Record(ctx, x.ID, store.Consistent)
	for i, a := range []audit.Action{audit.Deactivate, audit.Activate} {
		next := read.Clone()
		next.Description = string(a)
		e := &audit.Event{TokenID: x.ID, At: now.Add(time.Duration(i+1) * time.Second), Action: a, Actor: "test", Details: map[string]any{"n": i}}
		if err := f.st.Apply(ctx, now, store.Change{Before: read, After: next, Event: e}); err != nil {
			t.Fatal(err)
		}
		read, _ = f.st.Record(ctx, x.ID, store.Consistent)
	}
	evs, _, err := f.st.Audit(ctx, x.ID, now, 10, "")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range evs {
		got = append(got, string(e.Action))
	}
	if strings.Join(got, ",") != "activate,deactivate,issue" {
		t.Fatalf("audit order: %v", got)
	}
}

func TestMarkOwnerTokens(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	for i := 0; i < 3; i++ {
		f.create(t, tok(fmt.Sprint(i), "alice", fmt.Sprintf("t%d", i)))
	}
	f.create(t, tok("z", "bob", "other"))
	o, err := f.st.Owner(ctx, "alice")
	if err != nil {
		t.Fatal(err)
	}
	if o, err = f.st.SetOwnerStatus(ctx, o, store.OwnerDisabled, audit.Event{Owner: "alice", At: now, Action: audit.OwnerStatus, Actor: "ops"}); err != nil {
		t.Fatal(err)
	}
	marked, done, err := f.st.MarkOwnerTokens(ctx, o, time.Time{})
	if err != nil || !done || marked != 3 {
		t.Fatalf("mark: marked=%d done=%v err=%v", marked, done, err)
	}
	// Idempotent: a second pass marks nothing.
	if marked, _, _ := f.st.MarkOwnerTokens(ctx, o, time.Time{}); marked != 0 {
		t.Fatalf("second pass marked %d", marked)
	}
	a, _ := f.st.Record(ctx, fmt.Sprintf("%016s", "0"), store.Consistent)
	b, _ := f.st.Record(ctx, fmt.Sprintf("%016s", "z"), store.Consistent)
	if !a.OwnerDisabled || a.Version != 2 || b.OwnerDisabled {
		t.Fatalf("alice token disabled=%v v=%d; bob token disabled=%v", a.OwnerDisabled, a.Version, b.OwnerDisabled)
	}
}

func TestDueReadsOnlyDueTokens(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	soon := tok("a", "alice", "soon")
	soon.ExpiresAt = now.Add(time.Hour).Unix()
	later := tok("b", "alice", "later")
	f.create(t, soon)
	f.create(t, later)
	count := func(at time.Time) int {
		n := 0
		for s := 0; s < store.SweepShards; s++ {
			page, _, err := f.st.Due(ctx, s, at, 100, "")
			if err != nil {
				t.Fatal(err)
			}
			n += len(page)
		}
		return n
	}
	// soon's notice is due at once (it expires within 7 days); later's is not.
	if got := count(now); got != 1 {
		t.Fatalf("due now = %d, want 1", got)
	}
	if got := count(now.Add(31 * day)); got != 2 {
		t.Fatalf("due in 31 days = %d, want 2", got)
	}
}

// Items past expiresTTL are DynamoDB's to delete at any moment (TTL acts
// within days, not at the second): lists, usage and audit no longer show
// them, though they are still in the table.
func TestReadsHideItemsPastTheirTTL(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	x := tok("ttl", "alice", "short")
	x.ExpiresAt = now.Add(day).Unix()
	if err := f.st.Apply(ctx, now, store.Change{After: x, Event: ev(x, audit.Issue)}); err != nil {
		t.Fatal(err)
	}
	if err := f.st.RecordUse(ctx, x.ID, "192.0.2.1", 1, now); err != nil {
		t.Fatal(err)
	}
	read, _ := f.st.Record(ctx, x.ID, store.Consistent)
	cases := []struct {
		name   string
		past   time.Time // just past this kind of item's TTL
		listed func(at time.Time) int
	}{
		{"token in its owner's list", time.Unix(read.ExpiresTTL, 0), func(at time.Time) int {
			toks, _, err := f.st.ListByOwner(ctx, "alice", "", at, 10, "")
			if err != nil {
				t.Fatal(err)
			}
			return len(toks)
		}},
		{"usage", now.Add(rules.DeleteAfterIdle), func(at time.Time) int {
			uses, _, err := f.st.Usage(ctx, x.ID, at, 10, "")
			if err != nil {
				t.Fatal(err)
			}
			return len(uses)
		}},
		{"audit", now.Add(rules.AuditRetention), func(at time.Time) int {
			evs, _, err := f.st.Audit(ctx, x.ID, at, 10, "")
			if err != nil {
				t.Fatal(err)
			}
			return len(evs)
		}},
	}
	for _, c := range cases {
		if n := c.listed(c.past.Add(-time.Second)); n != 1 {
			t.Errorf("%s: %d shown a second before its TTL, want 1", c.name, n)
		}
		if n := c.listed(c.past); n != 0 {
			t.Errorf("%s: %d shown at its TTL, want 0", c.name, n)
		}
	}
	if _, err := f.st.Record(ctx, x.ID, store.Consistent); err != nil {
		t.Fatalf("the item itself is still there for the sweeper: %v", err)
	}
}

// A token starts on its owner's plan: a create carrying another plan than
// the owner item's is refused in its transaction (the guard manage retries
// on), and writes nothing.
func TestCreateChecksTheOwnersPlan(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	f.create(t, tok("a", "alice", "first"))
	f.setPolicy(t, "alice", store.OwnerPolicy{Plan: "pro"}, now)
	cases := []struct {
		name, owner, plan string
		want              error
	}{
		{"no plan, for an owner on pro", "alice", "", store.ErrOwnerDisabled},
		{"free, for an owner on pro", "alice", "free", store.ErrOwnerDisabled},
		{"pro, for an owner on pro", "alice", "pro", nil},
		{"pro, for an owner never seen (on the default)", "bob", "pro", store.ErrOwnerDisabled},
		{"no plan, for an owner never seen", "bob", "", nil},
	}
	for i, c := range cases {
		r := tok(fmt.Sprint("n", i), c.owner, fmt.Sprint("t", i))
		r.Plan = c.plan
		err := f.st.Apply(ctx, now, store.Change{After: r, Event: ev(r, audit.Issue)})
		if !errors.Is(err, c.want) || (err == nil) != (c.want == nil) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
		if _, rerr := f.st.Record(ctx, r.ID, store.Consistent); (rerr == nil) != (c.want == nil) {
			t.Errorf("%s: the token exists=%v", c.name, rerr == nil)
		}
	}
}

// A marker of an earlier owner change, running after a later change, stops
// with ErrConflict instead of writing its stale plan over the later one's.
func TestStaleMarkerStops(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	f.create(t, tok("a", "alice", "one"))
	pro := f.setPolicy(t, "alice", store.OwnerPolicy{Plan: "pro"}, now)
	free := f.setPolicy(t, "alice", store.OwnerPolicy{Plan: "free"}, now.Add(time.Second))
	if _, _, err := f.st.MarkOwnerTokens(ctx, pro, time.Time{}); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("the stale marker: %v, want ErrConflict", err)
	}
	id := fmt.Sprintf("%016s", "a")
	if got, _ := f.st.Record(ctx, id, store.Consistent); got.Plan != "" {
		t.Fatalf("the stale marker wrote plan %q", got.Plan)
	}
	if marked, done, err := f.st.MarkOwnerTokens(ctx, free, time.Time{}); err != nil || !done || marked != 1 {
		t.Fatalf("the current marker: marked=%d done=%v err=%v", marked, done, err)
	}
	if got, _ := f.st.Record(ctx, id, store.Consistent); got.Plan != "free" {
		t.Fatalf("the token is on %q, want free", got.Plan)
	}
}

// An owner's metadata travels like its plan: a create must carry the
// owner's current metadata digest, and a marker of older metadata stops.
func TestOwnerMetadataIsGuarded(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	f.create(t, tok("a", "alice", "one"))
	one := f.setPolicy(t, "alice", store.OwnerPolicy{Metadata: map[string]string{"tier": "gold"}}, now)
	stale := tok("b", "alice", "two")
	if err := f.st.Apply(ctx, now, store.Change{After: stale, Event: ev(stale, audit.Issue)}); !errors.Is(err, store.ErrOwnerDisabled) {
		t.Errorf("a create without the owner's metadata: %v", err)
	}
	fresh := tok("c", "alice", "three")
	fresh.OwnerMetadata, fresh.OwnerMetaSum = one.Metadata, one.MetaSum
	f.create(t, fresh)
	two := f.setPolicy(t, "alice", store.OwnerPolicy{Metadata: map[string]string{"tier": "silver"}}, now.Add(time.Second))
	if _, _, err := f.st.MarkOwnerTokens(ctx, one, time.Time{}); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("the stale marker: %v", err)
	}
	if marked, done, err := f.st.MarkOwnerTokens(ctx, two, time.Time{}); err != nil || !done || marked != 2 {
		t.Fatalf("the current marker: %d %v %v", marked, done, err)
	}
	got, _ := f.st.Record(ctx, fresh.ID, store.Consistent)
	if got.OwnerMetadata["tier"] != "silver" || got.OwnerMetaSum != two.MetaSum || two.MetaSum == one.MetaSum {
		t.Errorf("the token carries %v (%s)", got.OwnerMetadata, got.OwnerMetaSum)
	}
}

// setPolicy writes p on owner's item as it is now, at, as ops would.
func (f fixture) setPolicy(t *testing.T, owner string, p store.OwnerPolicy, at time.Time) *store.Owner {
	t.Helper()
	ctx := context.Background()
	o, err := f.st.Owner(ctx, owner)
	if err != nil {
		t.Fatal(err)
	}
	o, err = f.st.SetOwnerPolicy(ctx, o, p, audit.Event{Owner: owner, At: at, Action: audit.OwnerPolicy, Actor: "ops"})
	if err != nil {
		t.Fatal(err)
	}
	return o
}
