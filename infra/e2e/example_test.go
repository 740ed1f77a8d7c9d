package e2e_test

import (
	"context"
	"fmt"
	"maps"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/keymint/keymint/shared/token"
)

// exRoutes is the oracle's view of the example orders API: the scope
// scopes.json opens each route with, and the status the backend answers.
var exRoutes = map[string]struct {
	scope string
	ok    int
}{
	"GET /orders":           {"orders:read", http.StatusOK},
	"GET /orders/{id}":      {"orders:read", http.StatusOK},
	"POST /orders":          {"orders:write", http.StatusCreated},
	"PUT /orders/{id}":      {"orders:write", http.StatusOK},
	"DELETE /orders/{id}":   {"orders:write", http.StatusOK},
	"GET /reports/{proxy+}": {"reports:read", http.StatusOK},
}

// exCheckScopesFile holds exRoutes to shared/policy/scopes.json.
func exCheckScopesFile(t *testing.T) {
	t.Helper()
	want := map[string]string{}
	for key, r := range exRoutes {
		want[key] = r.scope
	}
	checkOracleScopes(t, want)
}

// exCred is a credential sent to the example API.
type exCred struct {
	name   string
	token  string
	id     string   // its token id; "" for none or a person
	owner  string   // whom the authorizer names, for the allowed
	scopes []string // what it holds; nil for the invalid and persons
	want   int      // fixed answer (401, 403) whatever the route; 0: by scope
}

// TestExampleAPIBehindKeymint sends every route of the example orders API
// with every kind of credential, through the local API Gateway, keymint's
// production-wired authorizer and the example backend, and holds each
// answer to the rules: no token 401; a refused token (malformed, bad
// checksum, unknown, bad secret, revoked, expired, inactive, owner
// disabled) 403; a signed-in person's ID token 403 (accepted only on
// keymint's own API); a valid token 403 unless its scopes open the route
// (keymint's management scopes open none of it), else the backend's answer
// with the caller echoed as the authorizer named it.
func TestExampleAPIBehindKeymint(t *testing.T) {
	t.Parallel()
	s, p := signInStack(t, nil)
	st := loadTemplate(t)
	var routes []string
	for _, r := range st.APIs["ExampleApi"].Routes {
		if _, ok := exRoutes[r.Key()]; !ok {
			t.Fatalf("template route %s of ExampleApi has no rule in the oracle", r.Key())
		}
		routes = append(routes, r.Key())
	}
	if len(routes) != len(exRoutes) {
		t.Fatalf("ExampleApi has %d routes, the oracle knows %d", len(routes), len(exRoutes))
	}
	slices.Sort(routes)
	exCheckScopesFile(t)

	all := []string{"orders:read", "orders:write", "reports:read"}
	issue := func(owner, name string, scopes []string) (string, string) {
		t.Helper()
		id, tok, err := issueByInvoke(s, owner, name, scopes)
		if err != nil {
			t.Fatal(err)
		}
		return id, tok
	}
	admin := func(method, path string, body any) {
		t.Helper()
		if r := s.do(method, path, s.admin, body, nil); r.status != http.StatusOK {
			t.Fatalf("setup %s %s: %d %s", method, path, r.status, r.body)
		}
	}
	creds := []exCred{{name: "none", want: http.StatusUnauthorized}, {name: "malformed", token: "kmt_not-a-token", want: http.StatusForbidden}}
	// The refused ones hold every example scope: only their state fails them.
	for _, name := range []string{"revoked", "expired", "inactive", "owner-disabled", "valid"} {
		owner := "alice"
		if name == "owner-disabled" {
			owner = "gone"
		}
		id, tok := issue(owner, "ex-"+name, all)
		creds = append(creds, exCred{name: name, token: tok, id: id, owner: owner, want: http.StatusForbidden})
	}
	valid := creds[len(creds)-1]
	creds = creds[:len(creds)-1]
	last := valid.token[len(valid.token)-1]
	unknown, err := token.Generate("kmt")
	if err != nil {
		t.Fatal(err)
	}
	other, err := token.Generate("kmt")
	if err != nil {
		t.Fatal(err)
	}
	creds = append(creds,
		exCred{name: "bad-checksum", token: valid.token[:len(valid.token)-1] + map[bool]string{true: "B", false: "A"}[last == 'A'], want: http.StatusForbidden},
		exCred{name: "unknown", token: unknown.String(), want: http.StatusForbidden},
		exCred{name: "bad-secret", token: token.Token{Prefix: "kmt", ID: valid.id, Secret: other.Secret}.String(), want: http.StatusForbidden},
		exCred{name: "person-alice", token: login(t, p, "alice"), want: http.StatusForbidden},
		exCred{name: "person-root-admin", token: login(t, p, "root"), want: http.StatusForbidden},
	)
	for _, c := range []struct {
		name   string
		scopes []string
	}{
		{"mgmt-read", []string{"tokens:read"}},
		{"mgmt-write", []string{"tokens:read", "tokens:write"}},
		{"mgmt-admin", []string{"tokens:admin"}},
		{"orders-read", []string{"orders:read"}},
		{"orders-write", []string{"orders:write"}},
		{"reports-read", []string{"reports:read"}},
		{"all-example", all},
		{"orders-full-bundle", []string{"orders:full"}},
	} {
		id, tok := issue("alice", "ex-"+c.name, c.scopes)
		scopes := c.scopes
		if c.name == "orders-full-bundle" {
			scopes = []string{"orders:read", "orders:write"} // a bundle is stored as its scopes
		}
		creds = append(creds, exCred{name: c.name, token: tok, id: id, owner: "alice", scopes: scopes})
	}

	// Put the refused ones in their states.
	byName := map[string]exCred{}
	for _, c := range creds {
		byName[c.name] = c
	}
	admin("DELETE", "/tokens/"+byName["revoked"].id, nil)
	admin("POST", "/tokens/"+byName["inactive"].id+"/deactivate", nil)
	if _, err := s.db.UpdateItem(context.Background(), &dynamodb.UpdateItemInput{
		TableName: aws.String(s.table), Key: tokenItemKey(byName["expired"].id),
		UpdateExpression:          aws.String("SET expiresAt = :past"),
		ConditionExpression:       aws.String("attribute_exists(PK)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":past": &types.AttributeValueMemberN{Value: strconv.FormatInt(time.Now().Add(-time.Minute).Unix(), 10)}},
	}); err != nil {
		t.Fatalf("age the expired credential: %v", err)
	}
	admin("PUT", "/owners/gone/status", map[string]any{"status": "disabled"})

	perStatus := map[int]int{}
	for _, key := range routes {
		for _, c := range creds {
			want := c.want
			if want == 0 {
				want = http.StatusForbidden
				if slices.Contains(c.scopes, exRoutes[key].scope) {
					want = exRoutes[key].ok
				}
			}
			perStatus[want]++
			t.Run(strings.ReplaceAll(key, " ", "_")+"/"+c.name, func(t *testing.T) {
				exRunCell(t, s, key, c, want)
			})
		}
	}
	var counts []string
	for _, code := range slices.Sorted(maps.Keys(perStatus)) {
		counts = append(counts, fmt.Sprintf("%d=%d", code, perStatus[code]))
	}
	t.Logf("example API: %d routes × %d credentials; expected %s", len(routes), len(creds), strings.Join(counts, " "))
	if perStatus[http.StatusOK] == 0 || perStatus[http.StatusCreated] == 0 || perStatus[http.StatusForbidden] == 0 || perStatus[http.StatusUnauthorized] == 0 {
		t.Errorf("the matrix does not reach every answer: %v", perStatus)
	}
}

func exRunCell(t *testing.T, s *localStack, key string, c exCred, want int) {
	cs := *s
	cs.t = t
	method, path, _ := strings.Cut(key, " ")
	path = strings.NewReplacer("{id}", "42", "{proxy+}", "sales/2026/q1").Replace(path)
	var body any
	if method == "POST" || method == "PUT" {
		body = map[string]any{"item": "kite", "quantity": 2}
	}
	r := cs.doAt(s.example, method, path, c.token, body, nil)
	if r.status != want {
		t.Fatalf("%s %s as %s: %d %s, want %d", method, path, c.name, r.status, r.body, want)
	}
	ct, _, _ := mime.ParseMediaType(r.header.Get("Content-Type"))
	v := r.json(t)
	if want >= 400 {
		// API Gateway's own answer: the backend never ran.
		if ct != "application/json" || len(v) != 1 || v["message"] != http.StatusText(want) {
			t.Errorf("gateway %d should be {\"message\":%q}, got %s %s", want, http.StatusText(want), ct, r.body)
		}
		return
	}
	caller, _ := v["caller"].(map[string]any)
	var scopes []string
	for _, sc := range caller["scopes"].([]any) {
		scopes = append(scopes, sc.(string))
	}
	slices.Sort(scopes)
	if v["route"] != key || caller["kind"] != "token" || caller["tokenId"] != c.id || caller["owner"] != c.owner ||
		!slices.Equal(scopes, slices.Sorted(slices.Values(c.scopes))) {
		t.Errorf("%s %s as %s answered %s; want route %s, caller token %s of %s with %v", method, path, c.name, r.body, key, c.id, c.owner, c.scopes)
	}
	if (method == "POST" || method == "PUT") && v["order"].(map[string]any)["item"] != "kite" {
		t.Errorf("%s %s: order %v, want the body echoed", method, path, v["order"])
	}
}
