package store

import (
	"encoding/base64"
	"encoding/json"
	"maps"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// FuzzDecodeCursor: any string against every listing's shape. decodeCursor
// never panics; what it accepts has exactly the shape's attributes, each
// passing the shape's check, and encodes back to the same key.
func FuzzDecodeCursor(f *testing.F) {
	id := "0123456789ABCDEF"
	enc := func(m map[string]string) string {
		raw, _ := json.Marshal(m)
		return base64.RawURLEncoding.EncodeToString(raw)
	}
	for _, seed := range []string{
		enc(map[string]string{"PK": "TOKEN#" + id, "SK": "META", "GSI1PK": "OWNER#alice", "GSI1SK": "001700000000#" + id}),
		enc(map[string]string{"PK": "TOKEN#" + id, "SK": "META", "GSI2PK": "SWEEP#03", "GSI2SK": "001700000000#" + id}),
		enc(map[string]string{"PK": "TOKEN#" + id, "SK": "META", "GSI3PK": "ADMINS", "GSI3SK": "alice#" + id}),
		enc(map[string]string{"PK": "TOKEN#" + id, "SK": "IP#10.0.0.1"}),
		enc(map[string]string{"PK": "TOKEN#" + id, "SK": "AUDIT#2026-11-01T12:00:00.000000000Z#issue"}),
		enc(map[string]string{"GSI1PK": "OWNER#alice"}),
		"", "!!", "e30", "bnVsbA",
	} {
		for shape := range 6 {
			f.Add(uint8(shape), seed)
		}
	}
	shapes := []pageShape{
		ownerPage("alice"), duePage(3), adminsPage, usagePage(id), auditPage(tokenPK(id)), auditPage(ownerPK("alice")),
	}
	f.Fuzz(func(t *testing.T, which uint8, cursor string) {
		shape := shapes[int(which)%len(shapes)]
		key, err := decodeCursor(cursor, shape)
		if err != nil || key == nil {
			return
		}
		if len(key) != len(shape) {
			t.Fatalf("accepted %d attributes for a %d-attribute shape", len(key), len(shape))
		}
		for k, v := range key {
			s, ok := v.(*types.AttributeValueMemberS)
			if !ok || shape[k] == nil || !shape[k](s.Value) {
				t.Fatalf("accepted attribute %s=%v", k, v)
			}
		}
		again, err := encodeCursor(key)
		if err != nil {
			t.Fatal(err)
		}
		back, err := decodeCursor(again, shape)
		if err != nil || !maps.EqualFunc(back, key, func(a, b types.AttributeValue) bool {
			return a.(*types.AttributeValueMemberS).Value == b.(*types.AttributeValueMemberS).Value
		}) {
			t.Fatalf("re-encoded cursor does not decode to the same key: %v", err)
		}
	})
}
