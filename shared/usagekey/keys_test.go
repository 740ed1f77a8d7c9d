package usagekey_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/keymint/keymint/internal/localgw"
	"github.com/keymint/keymint/shared/usagekey"
)

// Two usage plans on one stage (a key may be in one of them) and one on
// another API.
var plans = map[string][]string{"free": {"orders/v1"}, "team": {"orders/v1"}, "other": {"reports/v1"}}

// counting counts the control plane's calls by method and path shape.
type counting struct {
	h     http.Handler
	calls atomic.Int64
	fail  atomic.Bool
}

func (c *counting) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.calls.Add(1)
	if c.fail.Load() {
		w.Header().Set("X-Amzn-ErrorType", "ServiceUnavailableException")
		http.Error(w, `{"message":"Service Unavailable"}`, http.StatusServiceUnavailable)
		return
	}
	c.h.ServeHTTP(w, r)
}

// fixture is Keys on the real SDK client, against the emulated control plane.
func fixture(t *testing.T) (*usagekey.Keys, *localgw.Server, *counting) {
	t.Helper()
	gw := localgw.New(plans, nil)
	c := &counting{h: gw}
	srv := httptest.NewServer(c)
	t.Cleanup(srv.Close)
	api := apigateway.New(apigateway.Options{
		BaseEndpoint: aws.String(srv.URL), Region: "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""),
		RetryMaxAttempts: 1,
	})
	return usagekey.New(api, "keymint-test"), gw, c
}

func TestAssign(t *testing.T) {
	ctx := context.Background()
	k, gw, calls := fixture(t)

	// A first plan: a key is made and put in it, and the REST API finds it.
	key, err := k.Assign(ctx, "acme", usagekey.Key{}, "free")
	if err != nil {
		t.Fatal(err)
	}
	if key.ID == "" || len(key.Value) < 20 || key.UsagePlan != "free" {
		t.Fatalf("key %+v", key)
	}
	if plan, ok := gw.PlanOf("orders", "v1", key.Value); !ok || plan != "free" {
		t.Fatalf("PlanOf = %q %v, want free", plan, ok)
	}

	// The same plan again: nothing to do, no call.
	before := calls.calls.Load()
	if again, err := k.Assign(ctx, "acme", key, "free"); err != nil || again != key {
		t.Fatalf("again: %+v %v", again, err)
	}
	if n := calls.calls.Load() - before; n != 0 {
		t.Errorf("same plan made %d calls", n)
	}

	// A move between two plans of one stage: out of one, into the other,
	// the same key.
	moved, err := k.Assign(ctx, "acme", key, "team")
	if err != nil {
		t.Fatal(err)
	}
	if moved.ID != key.ID || moved.Value != key.Value || moved.UsagePlan != "team" {
		t.Fatalf("moved %+v from %+v", moved, key)
	}
	if got := gw.Keys()[key.Value]; len(got) != 1 || got[0] != "team" {
		t.Fatalf("key in %v, want [team]", got)
	}

	// An answer lost after the key was made: the owner item has no key,
	// and the retry finds the same one by name instead of a second.
	retried, err := k.Assign(ctx, "acme", usagekey.Key{}, "team")
	if err != nil {
		t.Fatal(err)
	}
	if retried.ID != key.ID || retried.UsagePlan != "team" || len(gw.Keys()) != 1 {
		t.Fatalf("retry %+v, keys %v", retried, gw.Keys())
	}

	// A lost answer to a move: the key is in team, the owner item has
	// none, and the retry asks for free. It is refused (the key's plan is
	// not known), not reported done.
	if got, err := k.Assign(ctx, "acme", usagekey.Key{}, "free"); !errors.Is(err, usagekey.ErrGateway) || got.ID != "" {
		t.Errorf("ambiguous retry: %+v %v", got, err)
	}

	// Out of every plan: the key stays for a later plan, in none.
	none, err := k.Assign(ctx, "acme", moved, "")
	if err != nil {
		t.Fatal(err)
	}
	if none.ID != key.ID || none.UsagePlan != "" {
		t.Fatalf("none %+v", none)
	}
	if _, ok := gw.PlanOf("orders", "v1", key.Value); ok {
		t.Error("a key in no plan is still found")
	}

	// Another owner gets its own key.
	other, err := k.Assign(ctx, "bob", usagekey.Key{}, "free")
	if err != nil || other.ID == key.ID || other.Value == key.Value {
		t.Fatalf("bob %+v %v", other, err)
	}
}

// Failures name their kind and leave the owner's key as it was.
func TestAssignFails(t *testing.T) {
	ctx := context.Background()
	k, gw, calls := fixture(t)
	cur, err := k.Assign(ctx, "acme", usagekey.Key{}, "free")
	if err != nil {
		t.Fatal(err)
	}
	got, err := k.Assign(ctx, "acme", cur, "gold")
	if !errors.Is(err, usagekey.ErrUnknownUsagePlan) || got != cur {
		t.Errorf("unknown usage plan: %+v %v", got, err)
	}
	calls.fail.Store(true)
	got, err = k.Assign(ctx, "acme", cur, "team")
	if !errors.Is(err, usagekey.ErrGateway) || got != cur {
		t.Errorf("gateway down: %+v %v", got, err)
	}
	calls.fail.Store(false)
	if p, ok := gw.PlanOf("orders", "v1", cur.Value); !ok || p != "free" {
		t.Errorf("after failures the key is in %q %v, want free", p, ok)
	}
}
