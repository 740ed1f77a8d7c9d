package sweep_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"

	"github.com/keymint/keymint/shared/sweep"
)

// FuzzParsePayload: the sweeper's invoke payload (schedule event or ops
// request). Any bytes: no panic; a refusal is ErrInvalid; what it accepts
// is JSON (or empty) and never a negative limit.
func FuzzParsePayload(f *testing.F) {
	for _, seed := range []string{
		``, `null`, `{}`, `{"dryRun":true,"limit":100}`, `{"now":"2026-12-01T00:00:00Z"}`,
		`{"DryRun":true}`, `{"limit":-1}`, `{"detail-type":"Scheduled Event","source":"aws.events"}`,
		`{"detail-type":"Other"}`, `[1]`, `{"limit":1e99}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		opt, err := sweep.ParsePayload(payload)
		if err != nil {
			if !errors.Is(err, sweep.ErrInvalid) {
				t.Fatalf("refusal %v is not ErrInvalid", err)
			}
			return
		}
		if opt.Limit < 0 {
			t.Fatalf("accepted limit %d", opt.Limit)
		}
		if len(bytes.TrimSpace(payload)) > 0 && !json.Valid(payload) {
			t.Fatalf("accepted non-JSON %q", payload)
		}
	})
}
