package validate_test

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/keymint/keymint/internal/testkit"
	"github.com/keymint/keymint/shared/app/validatefn"
	"github.com/keymint/keymint/shared/manage"
)

// A token's metadata reaches the API behind the authorizer as meta_<key>
// in the allow's context, beside (never over) the context keymint sets.
func TestMetadataInContext(t *testing.T) {
	t.Parallel()
	a := testkit.NewApp(t, nil)
	ctx := context.Background()
	iss, err := a.Service().Issue(ctx, manage.Caller{Ops: true}, manage.IssueRequest{Owner: "acme", Name: "m", Scopes: []string{"orders:read"},
		Metadata: map[string]string{"customer": "acme-42", "owner": "not the owner"}})
	if err != nil {
		t.Fatal(err)
	}
	ok, got := ordersAnswer(t, validatefn.Lambda(a.App), iss.Plaintext)
	if !ok {
		t.Fatalf("refused: %v", got)
	}
	if got["meta_customer"] != "acme-42" || got["meta_owner"] != "not the owner" || got["owner"] != "acme" {
		t.Errorf("context %v", got)
	}
}

// An owner's metadata reaches every one of its tokens' allows, beside the
// token's own (whose pair of the same key wins), once copied onto them.
func TestOwnerMetadataInContext(t *testing.T) {
	t.Parallel()
	a := testkit.NewApp(t, testkit.Env{"VALIDATE_CACHE_TTL": "0"})
	ctx, ops := context.Background(), manage.Caller{Ops: true}
	iss, err := a.Service().Issue(ctx, ops, manage.IssueRequest{Owner: "acme", Name: "m", Scopes: []string{"orders:read"},
		Metadata: map[string]string{"region": "eu"}})
	if err != nil {
		t.Fatal(err)
	}
	meta := map[string]string{"customer": "acme-42", "region": "us"}
	if _, err := a.Service().SetOwnerPolicy(ctx, ops, "acme", manage.OwnerPolicy{Metadata: &meta}, time.Now().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	later, err := a.Service().Issue(ctx, ops, manage.IssueRequest{Owner: "acme", Name: "n", Scopes: []string{"orders:read"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		tok    string
		region string
	}{{iss.Plaintext, "eu"}, {later.Plaintext, "us"}} {
		ok, got := ordersAnswer(t, validatefn.Lambda(a.App), c.tok)
		if !ok {
			t.Fatalf("refused: %v", got)
		}
		if got["meta_customer"] != "acme-42" || got["meta_region"] != c.region {
			t.Errorf("context %v; want the owner's customer and region %s", got, c.region)
		}
	}
}

// ordersAnswer is what the authorizer's Lambda answers a GET /orders of
// tok in the HTTP API sample event: whether it allows, and its context.
func ordersAnswer(t *testing.T, h lambdaInvoker, tok string) (bool, map[string]any) {
	t.Helper()
	ev := bytes.ReplaceAll(sample(t, "http-v2.json", tok), []byte(`"rawPath": "/my/path"`), []byte(`"rawPath": "/orders"`))
	ev = bytes.ReplaceAll(ev, []byte(`"method": "POST"`), []byte(`"method": "GET"`))
	out, err := h.Invoke(context.Background(), ev)
	var simple struct {
		IsAuthorized bool
		Context      map[string]any
	}
	if err != nil || json.Unmarshal(out, &simple) != nil {
		t.Fatalf("the authorizer's answer: %s (%v)", out, err)
	}
	return simple.IsAuthorized, simple.Context
}

// lambdaInvoker is a Lambda handler at the byte level.
type lambdaInvoker interface {
	Invoke(ctx context.Context, payload []byte) ([]byte, error)
}
