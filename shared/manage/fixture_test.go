package manage_test

import (
	"context"
	"errors"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/keymint/keymint/internal/testkit"
	"github.com/keymint/keymint/shared/manage"
	"github.com/keymint/keymint/shared/store"
)

// rig is one test's Service on a fresh DynamoDB Local table, with the
// reads the rule tests check the table by.
type rig struct {
	t   *testing.T
	a   *testkit.App
	svc *manage.Service
	ctx context.Context
	// start is the manual clock's time when the test begins.
	start time.Time
}

// newRig is a fresh table and service, the manual clock at testkit.Start
// (ahead of the wall clock, so no item's TTL lapses mid-test).
func newRig(t *testing.T, env testkit.Env) *rig {
	t.Helper()
	a := testkit.NewApp(t, env)
	return &rig{t: t, a: a, svc: a.Service(), ctx: context.Background(), start: testkit.Start}
}

// mint issues a token that the test needs to exist; any error fails the test.
func (r *rig) mint(c manage.Caller, req manage.IssueRequest) *manage.Issued {
	r.t.Helper()
	iss, err := r.svc.Issue(r.ctx, c, req)
	if err != nil {
		r.t.Fatalf("issue %q by %s: %v", req.Name, c.Actor(), err)
	}
	return iss
}

// as is the Caller the authorizer would make of an issued token: its
// owner, its id and its effective scopes.
func (r *rig) as(iss *manage.Issued) manage.Caller {
	return manage.Caller{Owner: iss.Token.Owner, TokenID: iss.Token.ID, Scopes: r.a.Catalogue.Effective(iss.Token.Scopes)}
}

// record reads a token back from the table (consistently).
func (r *rig) record(id string) *store.Record {
	r.t.Helper()
	rec, err := r.a.Store.Record(r.ctx, id, store.Consistent)
	if err != nil {
		r.t.Fatalf("read %s: %v", id, err)
	}
	return rec
}

// holder is the token id holding owner's name reservation, "" for none
// (docs/table.md: NAME#<owner>#<name> / NAME). The store has no reader
// for reservations, so the item is read as the table holds it.
func (r *rig) holder(owner, name string) string {
	r.t.Helper()
	out, err := r.a.DB.GetItem(r.ctx, &dynamodb.GetItemInput{
		TableName: aws.String(r.a.Table), ConsistentRead: aws.Bool(true),
		Key: map[string]types.AttributeValue{
			"PK": &types.AttributeValueMemberS{Value: "NAME#" + owner + "#" + name},
			"SK": &types.AttributeValueMemberS{Value: "NAME"},
		},
	})
	if err != nil {
		r.t.Fatalf("read reservation %s/%s: %v", owner, name, err)
	}
	if id, ok := out.Item["tokenId"].(*types.AttributeValueMemberS); ok {
		return id.Value
	}
	return ""
}

// snapshot is every item of the table, keyed "PK|SK", each by its
// version where it has one: what "a refusal writes nothing" compares.
func (r *rig) snapshot() map[string]string {
	r.t.Helper()
	out := map[string]string{}
	p := dynamodb.NewScanPaginator(r.a.DB, &dynamodb.ScanInput{TableName: aws.String(r.a.Table), ConsistentRead: aws.Bool(true)})
	for p.HasMorePages() {
		page, err := p.NextPage(r.ctx)
		if err != nil {
			r.t.Fatalf("scan: %v", err)
		}
		for _, it := range page.Items {
			pk := it["PK"].(*types.AttributeValueMemberS).Value
			sk := it["SK"].(*types.AttributeValueMemberS).Value
			v := ""
			if n, ok := it["version"].(*types.AttributeValueMemberN); ok {
				v = n.Value
			}
			out[pk+"|"+sk] = v
		}
	}
	return out
}

// unchangedSince fails the test if the table differs from before.
func (r *rig) unchangedSince(before map[string]string, what string) {
	r.t.Helper()
	after := r.snapshot()
	if !maps.Equal(before, after) {
		var added, changed, removed []string
		for k := range before {
			if _, ok := after[k]; !ok {
				removed = append(removed, k)
			}
		}
		for k, v := range after {
			if bv, ok := before[k]; !ok {
				added = append(added, k)
			} else if bv != v {
				changed = append(changed, k)
			}
		}
		slices.Sort(added)
		slices.Sort(changed)
		slices.Sort(removed)
		r.t.Errorf("%s wrote to the table: added %v, changed %v, removed %v", what, added, changed, removed)
	}
}

// outcome checks err against want: nil wants success, anything else a
// match by errors.Is.
func outcome(t *testing.T, what string, err, want error) {
	t.Helper()
	if (want == nil) != (err == nil) || !errors.Is(err, want) {
		t.Errorf("%s: error %v, want %v", what, err, want)
	}
}

func ptr[T any](v T) *T { return &v }
