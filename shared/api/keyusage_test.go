package api_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/keymint/keymint/shared/api"
	"github.com/keymint/keymint/shared/store"
)

// The ops report counts, per pepper key id, the tokens that would stop
// working without it: live tokens, and old secrets in a grace period.
func TestKeyUsageReport(t *testing.T) {
	t.Parallel()
	s := newStack(t, nil)
	report := func() map[string]store.KeyUse {
		t.Helper()
		out, err := s.handlers["describe"].Invoke(context.Background(), []byte(`{"report":"keyUsage"}`))
		if err != nil {
			t.Fatal(err)
		}
		var v api.KeyUsageView
		if err := json.Unmarshal(out, &v); err != nil || v.ScannedItems == 0 {
			t.Fatalf("report %s (%v)", out, err)
		}
		return v.Keys
	}
	s.issue(s.admin, map[string]any{"name": "live", "scopes": scopes("tokens:read")})
	rolled := s.issue(s.admin, map[string]any{"name": "rolled", "scopes": scopes("tokens:read")})
	gone := s.issue(s.admin, map[string]any{"name": "gone", "scopes": scopes("tokens:read")})
	s.issue(s.admin, map[string]any{"name": "short", "scopes": scopes("tokens:read"), "expiresInDays": 1})
	s.view(s.call("POST", "/tokens/"+rolled.ID+"/regenerate", s.admin, map[string]any{"graceSeconds": 3600}))
	s.view(s.call("DELETE", "/tokens/"+gone.ID, s.admin, nil))

	// admin, live, rolled, short; rolled's old secret is in its grace.
	if got := report(); len(got) != 1 || got["k1"] != (store.KeyUse{Tokens: 4, Grace: 1}) {
		t.Fatalf("report %+v, want k1: 4 tokens, 1 grace secret", got)
	}
	s.Clock.Advance(2 * 24 * time.Hour) // the grace and "short" are over
	if got := report(); got["k1"] != (store.KeyUse{Tokens: 3}) {
		t.Fatalf("report %+v, want k1: 3 tokens", got)
	}
	if _, err := s.handlers["describe"].Invoke(context.Background(), []byte(`{"report":"everything"}`)); err == nil {
		t.Fatal("an unknown report was answered")
	}
}
