package validate

import (
	"bytes"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/keymint/keymint/shared/store"
)

// The simple allow is encoding/json's bytes for the events type, whether
// written directly (plain values) or left to encoding/json (values it
// escapes), for tokens and people alike. It fails if a key is out of
// order, a value is written unescaped, or the fallback is taken away.
func TestSimpleAllowIsEncodingJSONs(t *testing.T) {
	t.Parallel()
	odd := []string{"", "alice", `a"b`, `back\slash`, "tab\tnew\nline", "<script>&", "\x00\x1f\x7f", "café", "\u2028\u2029", "\xff\xfe", "user@example.com"}
	var entries []*entry
	for _, owner := range odd {
		for _, scopes := range [][]string{nil, {"tokens:read"}, {"orders:read", "tokens:write"}, {owner}} {
			entries = append(entries,
				&entry{item: &store.Record{ID: "AbCdEfGhIjKlMnOpQrStUv", Owner: owner, Scopes: scopes, ExpiresAt: 1893456000}},
				&entry{item: &store.Record{ID: owner, Owner: "o", Scopes: scopes, ExpiresAt: -62135596800}},
				&entry{item: &store.Record{ID: "AbCdEfGhIjKlMnOpQrStUv", Owner: "o", Scopes: append([]string{"tokens:read"}, scopes...), ExpiresAt: 0}},
				&entry{person: &person{owner: owner, scopes: scopes, expires: 1764000000}},
				&entry{item: &store.Record{ID: "AbCdEfGhIjKlMnOpQrStUv", Owner: "o", Scopes: scopes, ExpiresAt: 1893456000}, plan: "team"},
				&entry{item: &store.Record{ID: "AbCdEfGhIjKlMnOpQrStUv", Owner: "o", Scopes: scopes, ExpiresAt: 1893456000}, plan: owner},
				&entry{item: &store.Record{ID: "AbCdEfGhIjKlMnOpQrStUv", Owner: "o", Scopes: scopes, ExpiresAt: 1893456000,
					Metadata: map[string]string{"customer": owner, "tier": "gold"}}, plan: "team"})
		}
	}
	for _, e := range entries {
		want := encode(events.APIGatewayV2CustomAuthorizerSimpleResponse{IsAuthorized: true, Context: e.context()})
		if got := simpleAllow(e); !bytes.Equal(got, want) {
			t.Errorf("simpleAllow:\n got %s\nwant %s", got, want)
		}
	}
}
