package validatefn_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/keymint/keymint/internal/testkit"
	"github.com/keymint/keymint/shared/app/validatefn"
	"github.com/keymint/keymint/shared/config"
	"github.com/keymint/keymint/shared/manage"
	"github.com/keymint/keymint/shared/store"
	"github.com/keymint/keymint/shared/validate"
)

// Early registers validate's extension from the environment alone, before
// any App exists, and the function it returns is Lambda's: it answers
// through the registered extension and writes usage after the answer.
// Fails if Early registers late (after the App), registers nothing, or
// builds a handler that does not use the extension it registered.
func TestEarlyRegistersBeforeTheAppIsBuilt(t *testing.T) {
	t.Parallel()
	api := testkit.ExtensionsAPI(t)
	fn := validatefn.Early(func(k string) string {
		if k == config.RuntimeAPIVar {
			return api.Addr()
		}
		return ""
	})
	deadline := time.Now().Add(5 * time.Second)
	for len(api.Extensions()) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("Early did not register the extension before the App was built")
		}
		time.Sleep(time.Millisecond)
	}
	if got := api.Extensions(); len(got) != 1 || got[0].Name != validate.ExtensionName || !slices.Equal(got[0].Events, []string{"INVOKE"}) {
		t.Fatalf("registered %+v, want %s for INVOKE", got, validate.ExtensionName)
	}

	var logs testkit.Buffer
	a := testkit.NewLoggingApp(t, testkit.Env{"LAST_USED_INTERVAL": "1m", "VALIDATE_CACHE_TTL": "0", config.RuntimeAPIVar: api.Addr()}, &logs)
	h := fn(a.App)
	ctx := context.Background()
	tok, err := a.Service().Issue(ctx, manage.Caller{Ops: true}, manage.IssueRequest{Owner: "alice", Name: "early", Scopes: []string{"tokens:read"}})
	if err != nil {
		t.Fatal(err)
	}
	req, _ := json.Marshal(validate.DirectRequest{Token: tok.Plaintext, SourceIP: "198.51.100.7"})
	var out []byte
	if err := api.Invoke(ctx, "req-1", time.Now().Add(5*time.Second), func() { out, err = h.Invoke(ctx, req) }); err != nil {
		t.Fatal(err)
	}
	var resp validate.DirectResponse
	if err != nil || json.Unmarshal(out, &resp) != nil || !resp.Active {
		t.Fatalf("answer %s (%v), want active", out, err)
	}
	if err := api.Settled(ctx); err != nil {
		t.Fatalf("the extension never took its event: %v", err)
	}
	rec, err := a.Store.Record(ctx, tok.Token.ID, store.Consistent)
	if err != nil {
		t.Fatal(err)
	}
	if rec.LastUsedAt == 0 || rec.LastUsedIP != "198.51.100.7" {
		t.Errorf("lastUsedAt %d, lastUsedIp %q after the post-response phase; want the use written", rec.LastUsedAt, rec.LastUsedIP)
	}
	if !strings.Contains(logs.String(), `"post-response extension registered"`) || !strings.Contains(logs.String(), `"waitedMs"`) {
		t.Errorf("no registration line with waitedMs in the log:\n%s", logs.String())
	}
}
