package api

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

// bodies are every request body the API and the ops invokes decode, with
// the exact field names each accepts (written out here, not derived, so the
// check below is independent of jsonNames).
var bodies = []struct {
	name   string
	new    func() any
	fields []string
}{
	{"issue", func() any { return new(issueBody) }, []string{"name", "description", "scopes", "expiresAt", "expiresInDays", "allowedCidrs", "owner"}},
	{"direct issue", func() any { return new(directBody) }, []string{"name", "description", "scopes", "expiresAt", "expiresInDays", "allowedCidrs", "owner", "idempotencyKey"}},
	{"edit", func() any { return new(editBody) }, []string{"name", "description", "expiresAt", "allowedCidrs", "scopes"}},
	{"regenerate", func() any { return new(regenerateBody) }, []string{"graceSeconds"}},
	{"copy", func() any { return new(copyBody) }, []string{"name"}},
	{"bulk revoke", func() any { return new(idsBody) }, []string{"ids"}},
	{"owner status", func() any { return new(ownerStatusBody) }, []string{"status"}},
	{"direct owner status", func() any { return new(directOwnerBody) }, []string{"status", "owner"}},
}

// FuzzDecodeBody: any bytes, any body type. decodeBody never panics, and a
// body it accepts is one JSON object whose keys are distinct, spelled
// exactly as the type's fields, and whose decoded value encodes again.
func FuzzDecodeBody(f *testing.F) {
	for _, seed := range []string{
		`{"name":"ci","scopes":["tokens:read"],"expiresInDays":7}`,
		`{"name":"a","name":"b"}`,
		`{"Name":"ci"}`,
		`{"expiresAt":"2027-01-01T00:00:00Z","allowedCidrs":["10.0.0.0/8"]}`,
		`{"graceSeconds":60}`,
		`{"ids":["AAAAAAAAAAAAAAAA"]}`,
		`{"status":"disabled","owner":"bob"}`,
		`{"description":"\u0000"}`,
		`{} {}`,
		`[1,2]`,
		``,
		`{"expiresInDays":1e400}`,
	} {
		for i := range bodies {
			f.Add(uint8(i), []byte(seed))
		}
	}
	f.Fuzz(func(t *testing.T, which uint8, raw []byte) {
		b := bodies[int(which)%len(bodies)]
		dst := b.new()
		req := events.APIGatewayV2HTTPRequest{Body: string(raw)}
		if p := decodeBody(&req, dst, true); p != nil {
			if p.Status != 400 {
				t.Fatalf("%s: refused with %d", b.name, p.Status)
			}
			return
		}
		if len(bytes.TrimSpace(raw)) == 0 {
			return
		}
		keys := topKeys(t, raw)
		allowed := map[string]bool{}
		for _, k := range b.fields {
			allowed[k] = true
		}
		seen := map[string]bool{}
		for _, k := range keys {
			if !allowed[k] || seen[k] {
				t.Fatalf("%s: accepted key %q in %q", b.name, k, raw)
			}
			seen[k] = true
		}
		if _, err := json.Marshal(dst); err != nil {
			t.Fatalf("%s: accepted value does not encode: %v", b.name, err)
		}
	})
}

// topKeys lists the top-level object's keys in order, repeats included.
func topKeys(t *testing.T, raw []byte) []string {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("accepted a body that is not an object: %q", raw)
	}
	var keys []string
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			t.Fatalf("accepted unreadable JSON %q: %v", raw, err)
		}
		keys = append(keys, k.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatalf("accepted unreadable JSON %q: %v", raw, err)
		}
	}
	return keys
}
