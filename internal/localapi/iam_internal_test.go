package localapi

import (
	"encoding/json"
	"testing"
)

// The local stack decides on an authorizer's IAM policy as AWS documents:
// "*" spans "/", "?" is one character, an explicit Deny wins, no Allow is
// an implicit deny, and resources are case-sensitive.
func TestIAMPolicyEvaluation(t *testing.T) {
	t.Parallel()
	const base = "arn:aws:execute-api:us-east-1:123456789012:api/$default/"
	stmt := func(effect, action string, resources ...string) map[string]any {
		return map[string]any{"Effect": effect, "Action": action, "Resource": resources}
	}
	tests := []struct {
		name  string
		sts   []map[string]any
		arn   string
		allow bool
	}{
		{"exact allow", []map[string]any{stmt("Allow", "execute-api:Invoke", base+"GET/orders/1")}, base + "GET/orders/1", true},
		{"no statement matches: implicit deny", []map[string]any{stmt("Allow", "execute-api:Invoke", base+"GET/orders/1")}, base + "GET/orders/2", false},
		{"star spans slashes", []map[string]any{stmt("Allow", "execute-api:Invoke", base+"GET/orders/*")}, base + "GET/orders/1/payments/refund", true},
		{"star matches empty", []map[string]any{stmt("Allow", "execute-api:Invoke", base+"GET/orders/*")}, base + "GET/orders/", true},
		{"star spans a line break", []map[string]any{stmt("Allow", "execute-api:Invoke", base+"GET/orders/*")}, base + "GET/orders/a\nb", true},
		{"question mark is one character", []map[string]any{stmt("Allow", "execute-api:Invoke", base+"GET/orders/?")}, base + "GET/orders/1", true},
		{"question mark is not two", []map[string]any{stmt("Allow", "execute-api:Invoke", base+"GET/orders/?")}, base + "GET/orders/12", false},
		{"resources are case-sensitive", []map[string]any{stmt("Allow", "execute-api:Invoke", base+"GET/Orders/1")}, base + "GET/orders/1", false},
		{"actions are not", []map[string]any{stmt("Allow", "Execute-API:invoke", base+"GET/orders/1")}, base + "GET/orders/1", true},
		{"action wildcard", []map[string]any{stmt("Allow", "execute-api:*", base+"GET/orders/1")}, base + "GET/orders/1", true},
		{"another action grants nothing", []map[string]any{stmt("Allow", "execute-api:ManageConnections", base+"GET/orders/1")}, base + "GET/orders/1", false},
		{"explicit deny wins", []map[string]any{stmt("Allow", "execute-api:Invoke", "*"), stmt("Deny", "execute-api:Invoke", base+"GET/orders/*/*")}, base + "GET/orders/1/x", false},
		{"deny elsewhere leaves the allow", []map[string]any{stmt("Allow", "execute-api:Invoke", "*"), stmt("Deny", "execute-api:Invoke", base+"GET/orders/*/*")}, base + "GET/orders/1", true},
		{"deny first, allow after: still denied", []map[string]any{stmt("Deny", "execute-api:Invoke", base+"*/*"), stmt("Allow", "execute-api:Invoke", base+"GET/orders/1")}, base + "GET/orders/1", false},
		{"effect is exact", []map[string]any{stmt("allow", "execute-api:Invoke", base+"GET/orders/1")}, base + "GET/orders/1", false},
		{"no statements", nil, base + "GET/orders/1", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw, _ := json.Marshal(map[string]any{"principalId": "p", "policyDocument": map[string]any{"Version": "2012-10-17", "Statement": tt.sts}})
			var r iamResponse
			if err := json.Unmarshal(raw, &r); err != nil {
				t.Fatal(err)
			}
			if got := r.allows(tt.arn); got != tt.allow {
				t.Errorf("allows(%q) = %v, want %v; policy %s", tt.arn, got, tt.allow, raw)
			}
		})
	}
}

// IAM's wildcards in a resource: "*" any run of characters, "/" included
// and empty too, "?" exactly one.
func TestWildcardIsIAMs(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		pattern, s string
		want       bool
	}{
		{"GET/orders/*", "GET/orders/1", true},
		{"GET/orders/*", "GET/orders/1/payments/refund", true}, // "*" spans "/"
		{"GET/orders/*", "GET/orders/", true},                  // and may be empty
		{"GET/orders/?", "GET/orders/1", true},
		{"GET/orders/?", "GET/orders/12", false},
		{"GET/orders", "GET/orders/1", false},
		{"*/orders", "DELETE/orders", true},
		{"GET/a*b*c", "GET/axxbyyc", true},
		{"GET/a*b*c", "GET/axxbyy", false},
	} {
		if got := wildcard(c.pattern, false).MatchString(c.s); got != c.want {
			t.Errorf("wildcard(%q) on %q = %v, want %v", c.pattern, c.s, got, c.want)
		}
	}
}
