package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/keymint/keymint/internal/testkit"
	"github.com/keymint/keymint/shared/api"
	"github.com/keymint/keymint/shared/token"
)

func TestIssueShowsTokenOnceAndStoresOnlyKeyedHash(t *testing.T) {
	t.Parallel()
	s := newStack(t, nil)
	v := s.issue(s.admin, map[string]any{"name": "ci", "scopes": scopes("tokens:read"), "description": "CI reader"})
	if !strings.HasPrefix(v.Token, "kmt_"+v.ID+"_") {
		t.Fatalf("issued token %q does not carry id %s", v.Token, v.ID)
	}
	secret := strings.TrimPrefix(v.Token, "kmt_"+v.ID+"_")[:32]

	for _, path := range []string{"/tokens/" + v.ID, "/tokens"} {
		r := s.call("GET", path, s.admin, nil)
		if r.status != 200 || bytes.Contains(r.body, []byte(secret)) || bytes.Contains(r.body, []byte(`"token"`)) {
			t.Fatalf("GET %s: %d, leaks the token: %s", path, r.status, r.body)
		}
	}
	out, err := s.DB.GetItem(context.Background(), &dynamodb.GetItemInput{
		TableName: aws.String(s.Table), ConsistentRead: aws.Bool(true),
		Key: map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: "TOKEN#" + v.ID}, "SK": &types.AttributeValueMemberS{Value: "META"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(out.Item)
	if bytes.Contains(raw, []byte(secret)) {
		t.Fatal("the stored item contains the plaintext secret")
	}
	var item struct {
		SecretHash []byte `dynamodbav:"secretHash"`
		KeyID      string `dynamodbav:"keyId"`
	}
	if err := attributevalue.UnmarshalMap(out.Item, &item); err != nil || len(item.SecretHash) != 32 || item.KeyID != "k1" {
		t.Fatalf("stored hash: %d bytes, key %q, err %v", len(item.SecretHash), item.KeyID, err)
	}
}

func TestAuthenticationOutcomes(t *testing.T) {
	t.Parallel()
	s := newStack(t, nil)
	reader := s.issue(s.admin, map[string]any{"name": "reader", "scopes": scopes("tokens:read")})
	tampered := []byte(reader.Token)
	tampered[len(tampered)-10] ^= 1 // breaks the check digits
	parsed, err := token.Parse(reader.Token, "kmt")
	if err != nil {
		t.Fatal(err)
	}
	otherSecret := token.Token{Prefix: "kmt", ID: parsed.ID, Secret: strings.Repeat("A", 32)}.String()
	unknownID := token.Token{Prefix: "kmt", ID: strings.Repeat("Z", 16), Secret: parsed.Secret}.String()
	cases := []struct {
		name, token, method, path string
		body                      any
		want                      int
	}{
		{"valid token on whoami", reader.Token, "GET", "/whoami", nil, 200},
		{"tampered", string(tampered), "GET", "/whoami", nil, 403},
		{"garbage", "not-a-token", "GET", "/whoami", nil, 403},
		{"unknown id", unknownID, "GET", "/whoami", nil, 403},
		{"right id wrong secret", otherSecret, "GET", "/whoami", nil, 403},
		{"missing", "", "GET", "/whoami", nil, 401},
		{"read-only token cannot issue", reader.Token, "POST", "/tokens", map[string]any{"name": "x", "scopes": scopes("tokens:read")}, 403},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if r := s.call(c.method, c.path, c.token, c.body); r.status != c.want {
				t.Fatalf("status %d, want %d: %s", r.status, c.want, r.body)
			}
		})
	}
}

func TestGrantingAndVisibility(t *testing.T) {
	t.Parallel()
	s := newStack(t, nil)
	writer := s.direct(map[string]any{"owner": "alice", "name": "w", "scopes": scopes("tokens:read", "tokens:write")})
	bob := s.direct(map[string]any{"owner": "bob", "name": "b", "scopes": scopes("tokens:read", "tokens:write")})

	r := s.call("POST", "/tokens", writer.Token, map[string]any{"name": "x", "scopes": scopes("tokens:admin")})
	if r.status != 403 {
		t.Fatalf("writer granting tokens:admin: %d", r.status)
	}
	if s.call("POST", "/tokens", writer.Token, map[string]any{"name": "x", "scopes": scopes("orders:read")}).status != 403 {
		t.Fatal("writer granting a scope it lacks must be 403")
	}
	if s.call("POST", "/tokens", writer.Token, map[string]any{"name": "x", "scopes": scopes("tokens:read"), "owner": "bob"}).status != 403 {
		t.Fatal("non-admin issuing for another owner must be 403")
	}
	// Another owner's token is not found, not forbidden.
	for _, c := range []struct{ method, path string }{{"GET", "/tokens/" + bob.ID}, {"DELETE", "/tokens/" + bob.ID}, {"GET", "/tokens/" + bob.ID + "/audit"}} {
		r := s.call(c.method, c.path, writer.Token, nil)
		if r.status != 404 {
			t.Fatalf("%s %s as alice: %d", c.method, c.path, r.status)
		}
		r.problem(t)
	}
	// Lists hold only the caller's own tokens; admins pick the owner.
	var list api.ListView[api.TokenView]
	s.call("GET", "/tokens", writer.Token, nil).decode(t, &list)
	if len(list.Items) != 1 || list.Items[0].Owner != "alice" {
		t.Fatalf("alice's list: %+v", list.Items)
	}
	if s.call("GET", "/tokens?owner=bob", writer.Token, nil).status != 403 {
		t.Fatal("non-admin listing another owner must be 403")
	}
	s.call("GET", "/tokens?owner=bob", s.admin, nil).decode(t, &list)
	if len(list.Items) != 1 || list.Items[0].ID != bob.ID {
		t.Fatalf("admin's view of bob: %+v", list.Items)
	}
	// Admins may issue for another owner and grant any known scope.
	v := s.issue(s.admin, map[string]any{"name": "ord", "scopes": scopes("orders:full"), "owner": "bob"})
	if v.Owner != "bob" || strings.Join(v.Scopes, " ") != "orders:read orders:write" {
		t.Fatalf("admin-issued token: owner %s scopes %v", v.Owner, v.Scopes)
	}
}

func TestBadInputIs400AndWritesNothing(t *testing.T) {
	t.Parallel()
	s := newStack(t, nil)
	// The first use of the admin token records its usage; do it before counting.
	s.call("GET", "/whoami", s.admin, nil)
	past := testkit.Start.Add(-time.Hour).Format(time.RFC3339)
	tooFar := testkit.Start.Add(400 * 24 * time.Hour).Format(time.RFC3339)
	cases := []struct {
		name  string
		body  any
		field string
	}{
		{"name pattern", map[string]any{"name": "has space", "scopes": scopes("tokens:read")}, "name"},
		{"name too long", map[string]any{"name": strings.Repeat("a", 33), "scopes": scopes("tokens:read")}, "name"},
		{"description too long", map[string]any{"name": "ok", "description": strings.Repeat("d", 1025), "scopes": scopes("tokens:read")}, "description"},
		{"lifetime over maximum", map[string]any{"name": "ok", "scopes": scopes("tokens:read"), "expiresInDays": 367}, "expiresInDays"},
		{"expiry too far", map[string]any{"name": "ok", "scopes": scopes("tokens:read"), "expiresAt": tooFar}, "expiresAt"},
		{"expiry in the past", map[string]any{"name": "ok", "scopes": scopes("tokens:read"), "expiresAt": past}, "expiresAt"},
		{"expiry not a time", map[string]any{"name": "ok", "scopes": scopes("tokens:read"), "expiresAt": "tomorrow"}, "expiresAt"},
		{"both expiry forms", map[string]any{"name": "ok", "scopes": scopes("tokens:read"), "expiresAt": tooFar, "expiresInDays": 3}, "expiresAt"},
		{"unknown scope", map[string]any{"name": "ok", "scopes": scopes("nope:nope")}, "scopes"},
		{"empty scopes", map[string]any{"name": "ok", "scopes": scopes()}, "scopes"},
		{"missing scopes", map[string]any{"name": "ok"}, "scopes"},
		{"bad CIDR", map[string]any{"name": "ok", "scopes": scopes("tokens:read"), "allowedCidrs": []string{"10.0.0.0/33"}}, "allowedCidrs"},
		{"malformed JSON", `{"name": "ok", "scopes": [`, ""},
		{"unknown field", map[string]any{"name": "ok", "scopes": scopes("tokens:read"), "scope": "x"}, ""},
		{"wrong type", map[string]any{"name": 7, "scopes": scopes("tokens:read")}, "name"},
		{"body over 64 KiB", map[string]any{"name": "ok", "scopes": scopes("tokens:read"), "description": strings.Repeat("x", 70000)}, ""},
		{"two objects", `{"name":"ok","scopes":["tokens:read"]} {}`, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := s.itemCount()
			r := s.call("POST", "/tokens", s.admin, c.body)
			if r.status != 400 {
				t.Fatalf("status %d: %s", r.status, r.body)
			}
			p := r.problem(t)
			if c.field != "" && (len(p.Errors) != 1 || p.Errors[0].Field != c.field) {
				t.Fatalf("field errors %+v, want %s", p.Errors, c.field)
			}
			if after := s.itemCount(); after != before {
				t.Fatalf("items %d -> %d: bad input wrote something", before, after)
			}
		})
	}
}

func TestDuplicateNameAndRevokeFreesIt(t *testing.T) {
	t.Parallel()
	s := newStack(t, nil)
	v := s.issue(s.admin, map[string]any{"name": "deploy", "scopes": scopes("tokens:read")})
	before := s.itemCount()
	r := s.call("POST", "/tokens", s.admin, map[string]any{"name": "deploy", "scopes": scopes("tokens:read")})
	if r.status != 409 {
		t.Fatalf("duplicate live name: %d", r.status)
	}
	r.problem(t)
	if s.itemCount() != before {
		t.Fatal("a refused duplicate wrote something")
	}
	if s.call("GET", "/whoami", v.Token, nil).status != 200 {
		t.Fatal("token should work before revoke")
	}
	if r := s.call("DELETE", "/tokens/"+v.ID, s.admin, nil); r.status != 200 {
		t.Fatalf("revoke: %d %s", r.status, r.body)
	}
	// Within the cache TTL the old verdict may stand; past it, refused (403).
	s.Clock.Advance(2 * time.Second)
	if r := s.call("GET", "/whoami", v.Token, nil); r.status != 403 {
		t.Fatalf("revoked token after the cache TTL: %d", r.status)
	}
	s.issue(s.admin, map[string]any{"name": "deploy", "scopes": scopes("tokens:read")})
	var got api.TokenView
	s.call("GET", "/tokens/"+v.ID, s.admin, nil).decode(t, &got)
	if got.Status != "revoked" {
		t.Fatalf("revoked token listed as %s", got.Status)
	}
	// Revoking again is idempotent.
	if r := s.call("DELETE", "/tokens/"+v.ID, s.admin, nil); r.status != 200 {
		t.Fatalf("second revoke: %d", r.status)
	}
}

func TestExpiredTokenRefusedBeforeTTLDeletesIt(t *testing.T) {
	t.Parallel()
	s := newStack(t, nil)
	v := s.issue(s.admin, map[string]any{"name": "short", "scopes": scopes("tokens:read"), "expiresInDays": 1})
	if s.call("GET", "/whoami", v.Token, nil).status != 200 {
		t.Fatal("fresh token refused")
	}
	s.Clock.Advance(24*time.Hour + time.Second)
	if r := s.call("GET", "/whoami", v.Token, nil); r.status != 403 {
		t.Fatalf("expired token: %d", r.status)
	}
	var got api.TokenView
	s.call("GET", "/tokens/"+v.ID, s.admin, nil).decode(t, &got)
	if got.Status != "expired" {
		t.Fatalf("expired token shows %s", got.Status)
	}
}

func TestBulkRevokePerIDResults(t *testing.T) {
	t.Parallel()
	s := newStack(t, nil)
	a := s.issue(s.admin, map[string]any{"name": "a", "scopes": scopes("tokens:read")})
	b := s.issue(s.admin, map[string]any{"name": "b", "scopes": scopes("tokens:read")})
	s.call("DELETE", "/tokens/"+b.ID, s.admin, nil)
	r := s.call("POST", "/tokens/revoke", s.admin, map[string]any{"ids": []string{a.ID, b.ID, "0000000000000000", "junk", a.ID}})
	if r.status != 200 {
		t.Fatalf("bulk: %d %s", r.status, r.body)
	}
	var out struct {
		Results []api.BulkResultView `json:"results"`
	}
	r.decode(t, &out)
	want := []int{200, 200, 404, 404, 200} // a repeated id is revoked once, answered twice
	if len(out.Results) != len(want) {
		t.Fatalf("results: %+v", out.Results)
	}
	for i, res := range out.Results {
		if res.Status != want[i] {
			t.Errorf("result %d (%s): %d, want %d", i, res.ID, res.Status, want[i])
		}
	}
	if out.Results[0].Token == nil || out.Results[0].Token.Status != "revoked" {
		t.Fatalf("first result: %+v", out.Results[0])
	}
	if s.call("POST", "/tokens/revoke", s.admin, map[string]any{"ids": []string{}}).status != 400 {
		t.Fatal("empty bulk must be 400")
	}
}
