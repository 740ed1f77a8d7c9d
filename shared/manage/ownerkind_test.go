package manage_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/keymint/keymint/internal/testkit"
	"github.com/keymint/keymint/shared/manage"
	"github.com/keymint/keymint/shared/store"
)

var (
	ops  = manage.Caller{Ops: true}
	root = manage.Caller{Person: true, Owner: "root", Scopes: []string{manage.ScopeAdmin, manage.ScopeRead, manage.ScopeWrite}}
)

func person(owner string) manage.Caller {
	return manage.Caller{Person: true, Owner: owner, Scopes: []string{manage.ScopeRead, manage.ScopeWrite}}
}

// issue asks for a token for owner ("" the caller's own) and answers the
// owner item as it is afterwards and the issue's error.
func issue(t *testing.T, a *testkit.App, c manage.Caller, owner, name string) (*store.Owner, error) {
	t.Helper()
	ctx := context.Background()
	_, err := a.Service().Issue(ctx, c, manage.IssueRequest{Name: name, Scopes: []string{manage.ScopeRead}, Owner: owner})
	if owner == "" {
		owner = c.Owner
	}
	o, rerr := a.Store.Owner(ctx, owner)
	if rerr != nil {
		t.Fatalf("read owner %s: %v", owner, rerr)
	}
	return o, err
}

// An owner's first token records whose it is, a person's or an operator's:
// no signed-in person becomes the bootstrap owner admin or any owner an
// operator made, and ops (direct invoke) never issue into a person's owner
// (where that person could regenerate the token); an admin may, as admins
// act on any owner, and the owner stays a person's.
func TestOwnerKindsKeptApart(t *testing.T) {
	t.Parallel()
	type step struct {
		caller   manage.Caller
		owner    string // "" the caller's own
		want     error  // nil: issued
		wantKind string // the owner's kind afterwards
	}
	cases := []struct {
		name  string
		steps []step
	}{
		{"ops makes admin, then a person named admin is refused", []step{
			{ops, "admin", nil, store.OwnerOfOperator},
			{person("admin"), "", manage.ErrForbidden, store.OwnerOfOperator},
		}},
		{"an admin names a new owner: an operator's", []step{
			{root, "orders", nil, store.OwnerOfOperator},
			{person("orders"), "", manage.ErrForbidden, store.OwnerOfOperator},
			{ops, "orders", nil, store.OwnerOfOperator},
		}},
		{"a person's owner refuses ops; an admin may issue into it, and it stays a person's", []step{
			{person("alice"), "", nil, store.OwnerOfPerson},
			{person("alice"), "", nil, store.OwnerOfPerson},
			{ops, "alice", manage.ErrForbidden, store.OwnerOfPerson},
			{root, "alice", nil, store.OwnerOfPerson},
			{person("alice"), "", nil, store.OwnerOfPerson},
		}},
		{"a person who signed in as admin before bootstrap keeps ops out", []step{
			{person("admin"), "", nil, store.OwnerOfPerson},
			{ops, "admin", manage.ErrForbidden, store.OwnerOfPerson},
		}},
		{"an admin person's own owner is a person's", []step{
			{root, "", nil, store.OwnerOfPerson},
			{root, "root", nil, store.OwnerOfPerson},
			{ops, "root", manage.ErrForbidden, store.OwnerOfPerson},
		}},
		{"a token issuing for its own owner checks nothing", []step{
			{ops, "svc", nil, store.OwnerOfOperator},
			{manage.Caller{Owner: "svc", TokenID: "tok1", Scopes: []string{manage.ScopeRead, manage.ScopeWrite}}, "", nil, store.OwnerOfOperator},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			a := testkit.NewApp(t, nil)
			for i, s := range c.steps {
				o, err := issue(t, a, s.caller, s.owner, "t"+string(rune('a'+i)))
				if !errors.Is(err, s.want) || (s.want == nil) != (err == nil) {
					t.Fatalf("step %d (%s for %q): error %v, want %v", i, s.caller.Actor(), s.owner, err, s.want)
				}
				if o.Kind != s.wantKind {
					t.Fatalf("step %d: owner %s is of kind %q, want %q", i, o.Owner, o.Kind, s.wantKind)
				}
			}
		})
	}
}

// A refused issue changes nothing: no token, the owner's kind as it was.
func TestOwnerKindRefusalLeavesNoToken(t *testing.T) {
	t.Parallel()
	a := testkit.NewApp(t, nil)
	if _, err := issue(t, a, ops, "admin", "boot"); err != nil {
		t.Fatal(err)
	}
	_, err := issue(t, a, person("admin"), "", "mine")
	var fe *manage.ForbiddenError
	if !errors.As(err, &fe) || fe.Reason == "" {
		t.Fatalf("error %v, want a ForbiddenError with a reason", err)
	}
	toks, err := a.Store.LiveTokens(context.Background(), "admin")
	if err != nil {
		t.Fatal(err)
	}
	if len(toks) != 1 || toks[0].Name != "boot" {
		t.Fatalf("admin's tokens after the refusal: %d, want only boot", len(toks))
	}
}

// An owner named by an operator has one form, lower case, so Alice and
// alice cannot be two owners; a person's own owner is the provider's value
// exactly (sub is case-sensitive).
func TestOperatorOwnerNamesCanonical(t *testing.T) {
	t.Parallel()
	a := testkit.NewApp(t, nil)
	cases := []struct {
		caller manage.Caller
		owner  string
		ok     bool
	}{
		{ops, "orders", true},
		{ops, "orders-v2.eu_1", true},
		{ops, "0day", true},
		{ops, "Orders", false},
		{ops, "ORDERS", false},
		{ops, "svc@example.test", false},
		{ops, "team:svc", false},
		{ops, "a+b", false},
		{ops, ".hidden", false},
		{ops, "-x", false},
		{root, "Reports", false},
		{root, "reports", true},
		{person("00uAbC123"), "", true},
		{person("Alice@Example.test"), "", true},
		// An existing person's owner is named by an admin as it is, not by ops.
		{root, "00uAbC123", true},
		{ops, "00uAbC123", false},
	}
	for i, c := range cases {
		_, err := issue(t, a, c.caller, c.owner, "n"+string(rune('a'+i)))
		var fe *manage.FieldError
		switch {
		case c.ok && err != nil:
			t.Errorf("%s for %q: %v, want issued", c.caller.Actor(), c.owner, err)
		case !c.ok && (!errors.Is(err, manage.ErrInvalid) || !errors.As(err, &fe) || fe.Field != "owner"):
			t.Errorf("%s for %q: %v, want invalid owner", c.caller.Actor(), c.owner, err)
		}
	}
	// Nothing was made for a refused name.
	for _, refused := range []string{"Orders", "Reports"} {
		if o, err := a.Store.Owner(context.Background(), refused); err != nil || o.Found {
			t.Errorf("owner %s: found %v (%v), want none", refused, o.Found, err)
		}
	}
}

// With enablement required, a waiting owner is told it waits, and once
// enabled, its first token decides its kind as without.
func TestOwnerKindWithEnablement(t *testing.T) {
	t.Parallel()
	a := testkit.NewApp(t, testkit.Env{"TOKENS_REQUIRE_ENABLEMENT": "true"})
	if o, err := issue(t, a, ops, "orders", "a"); !errors.Is(err, manage.ErrOwnerNotEnabled) || o.Status != store.OwnerPending || o.Kind != "" {
		t.Fatalf("before enablement: %v, owner %+v", err, o)
	}
	if _, err := a.Service().SetOwnerStatus(context.Background(), ops, "orders", store.OwnerActive, time.Now().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if o, err := issue(t, a, ops, "orders", "b"); err != nil || o.Kind != store.OwnerOfOperator {
		t.Fatalf("after enablement: %v, kind %q", err, o.Kind)
	}
	if _, err := issue(t, a, person("orders"), "", "c"); !errors.Is(err, manage.ErrForbidden) {
		t.Fatalf("a person named orders: %v, want ErrForbidden", err)
	}
}
