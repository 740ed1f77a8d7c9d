package policy

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestParseMethodARN(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		arn  string
		want MethodARN
		// str is what String gives back when it is not arn itself.
		str string
	}{
		{
			"REST REQUEST sample",
			"arn:aws:execute-api:us-east-1:123456789012:s4x3opwd6i/test/GET/request",
			MethodARN{"aws", "us-east-1", "123456789012", "s4x3opwd6i", "test", "GET", "request"},
			"",
		},
		{
			"REST TOKEN console test, root resource",
			"arn:aws:execute-api:us-west-2:123456789012:ymy8tbxw7b/*/GET/",
			MethodARN{"aws", "us-west-2", "123456789012", "ymy8tbxw7b", "*", "GET", ""},
			"",
		},
		{
			"nested resource",
			"arn:aws:execute-api:us-east-1:123456789012:abcdef123/prod/GET/orders/1",
			MethodARN{"aws", "us-east-1", "123456789012", "abcdef123", "prod", "GET", "orders/1"},
			"",
		},
		{
			"HTTP API routeArn on $default stage",
			"arn:aws:execute-api:us-east-1:123456789012:abcdef123/$default/GET/whoami",
			MethodARN{"aws", "us-east-1", "123456789012", "abcdef123", "$default", "GET", "whoami"},
			"",
		},
		{
			"HTTP API $default route",
			"arn:aws:execute-api:us-east-1:123456789012:abcdef123/$default/$default",
			MethodARN{"aws", "us-east-1", "123456789012", "abcdef123", "$default", "$default", ""},
			"arn:aws:execute-api:us-east-1:123456789012:abcdef123/$default/$default/",
		},
		{
			"China partition",
			"arn:aws-cn:execute-api:cn-north-1:123456789012:abcdef123/prod/POST/tokens/tk_1/copy",
			MethodARN{"aws-cn", "cn-north-1", "123456789012", "abcdef123", "prod", "POST", "tokens/tk_1/copy"},
			"",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseMethodARN(tt.arn)
			if err != nil {
				t.Fatalf("ParseMethodARN: %v", err)
			}
			if got != tt.want {
				t.Errorf("ParseMethodARN(%q)\n got %+v\nwant %+v", tt.arn, got, tt.want)
			}
			wantStr := tt.arn
			if tt.str != "" {
				wantStr = tt.str
			}
			if s := got.String(); s != wantStr {
				t.Errorf("String() = %q, want %q", s, wantStr)
			}
		})
	}
}

func TestParseMethodARNRejects(t *testing.T) {
	t.Parallel()
	for _, arn := range []string{
		"",
		"*",
		"arn:aws:lambda:us-east-1:123456789012:function:validate",
		"arn:aws:execute-api:us-east-1:123456789012",
		"arn:aws:execute-api:us-east-1:123456789012:abcdef123",
		"arn:aws:execute-api:us-east-1:123456789012:abcdef123/prod",
		"arn:aws:execute-api:us-east-1:123456789012:abcdef123/prod/",
		"arn:aws:execute-api:us-east-1:123456789012:/prod/GET/x",
		"arn:aws:execute-api:us-east-1::abcdef123/prod/GET/x",
		"arn:aws:execute-api::123456789012:abcdef123/prod/GET/x",
		"arn::execute-api:us-east-1:123456789012:abcdef123/prod/GET/x",
		"urn:aws:execute-api:us-east-1:123456789012:abcdef123/prod/GET/x",
		"arn:aws:execute-api:us-east/1:123456789012:abcdef123/prod/GET/x",
	} {
		t.Run(arn, func(t *testing.T) {
			if got, err := ParseMethodARN(arn); !errors.Is(err, ErrBadARN) {
				t.Errorf("ParseMethodARN(%q) = %+v, %v; want ErrBadARN", arn, got, err)
			}
		})
	}
}

func mustARN(t *testing.T, s string) MethodARN {
	t.Helper()
	a, err := ParseMethodARN(s)
	if err != nil {
		t.Fatalf("ParseMethodARN(%q): %v", s, err)
	}
	return a
}

func TestAllowPolicyTokensRead(t *testing.T) {
	t.Parallel()
	c := defaultCat(t)
	arn := mustARN(t, "arn:aws:execute-api:us-east-1:123456789012:abcdef123/prod/GET/tokens/tk_1")
	got := AllowPolicy(arn, c.Routes([]string{"tokens:read"}))

	if got.Version != "2012-10-17" {
		t.Errorf("Version = %q", got.Version)
	}
	if len(got.Statement) != 1 {
		t.Fatalf("Statement = %+v, want one statement", got.Statement)
	}
	st := got.Statement[0]
	if st.Effect != "Allow" || !slices.Equal(st.Action, []string{"execute-api:Invoke"}) {
		t.Errorf("statement = %s %v, want Allow [execute-api:Invoke]", st.Effect, st.Action)
	}
	want := []string{
		"arn:aws:execute-api:us-east-1:123456789012:abcdef123/prod/GET/scopes",
		"arn:aws:execute-api:us-east-1:123456789012:abcdef123/prod/GET/tokens",
		"arn:aws:execute-api:us-east-1:123456789012:abcdef123/prod/GET/tokens/*",
		"arn:aws:execute-api:us-east-1:123456789012:abcdef123/prod/GET/tokens/*/audit",
		"arn:aws:execute-api:us-east-1:123456789012:abcdef123/prod/GET/tokens/*/usage",
		"arn:aws:execute-api:us-east-1:123456789012:abcdef123/prod/GET/whoami",
	}
	if !slices.Equal(st.Resource, want) {
		t.Errorf("Resource\n got %q\nwant %q", st.Resource, want)
	}
}

func TestAllowPolicyResources(t *testing.T) {
	t.Parallel()
	arn := mustARN(t, "arn:aws:execute-api:eu-west-1:111122223333:api1/$default/GET/whoami")
	base := "arn:aws:execute-api:eu-west-1:111122223333:api1/$default/"
	tests := []struct {
		name   string
		routes []Route
		want   []string
	}{
		{"method star", []Route{{"*", "/orders/*"}}, []string{base + "*/orders/*"}},
		{"method ANY", []Route{{"ANY", "/orders"}}, []string{base + "*/orders"}},
		{"double star", []Route{{"GET", "/reports/**"}}, []string{base + "GET/reports/*"}},
		{"root", []Route{{"GET", "/"}}, []string{base + "GET/"}},
		{"sorted and deduped", []Route{{"POST", "/b"}, {"GET", "/a"}, {"POST", "/b"}, {"ANY", "/c"}, {"*", "/c"}},
			[]string{base + "*/c", base + "GET/a", base + "POST/b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := AllowPolicy(arn, tt.routes)
			if len(got.Statement) != 1 || got.Statement[0].Effect != "Allow" {
				t.Fatalf("policy = %+v, want one Allow statement", got)
			}
			if !slices.Equal(got.Statement[0].Resource, tt.want) {
				t.Errorf("Resource\n got %q\nwant %q", got.Statement[0].Resource, tt.want)
			}
		})
	}
}

func TestAllowPolicyWithoutRoutesDenies(t *testing.T) {
	t.Parallel()
	arn := mustARN(t, "arn:aws:execute-api:us-east-1:123456789012:abcdef123/prod/GET/orders")
	got := AllowPolicy(arn, nil)
	want := DenyPolicy(arn)
	if len(got.Statement) != 1 || got.Statement[0].Effect != "Deny" ||
		!slices.Equal(got.Statement[0].Resource, want.Statement[0].Resource) {
		t.Errorf("AllowPolicy(no routes) = %+v, want %+v", got, want)
	}
}

func TestDenyPolicy(t *testing.T) {
	t.Parallel()
	tests := []struct {
		arn, want string
	}{
		{"arn:aws:execute-api:us-east-1:123456789012:abcdef123/prod/GET/orders/1",
			"arn:aws:execute-api:us-east-1:123456789012:abcdef123/prod/*/*"},
		{"arn:aws:execute-api:us-east-1:123456789012:abcdef123/$default/GET/whoami",
			"arn:aws:execute-api:us-east-1:123456789012:abcdef123/$default/*/*"},
	}
	for _, tt := range tests {
		t.Run(tt.arn, func(t *testing.T) {
			got := DenyPolicy(mustARN(t, tt.arn))
			if got.Version != "2012-10-17" || len(got.Statement) != 1 {
				t.Fatalf("policy = %+v", got)
			}
			st := got.Statement[0]
			if st.Effect != "Deny" || !slices.Equal(st.Action, []string{"execute-api:Invoke"}) ||
				!slices.Equal(st.Resource, []string{tt.want}) {
				t.Errorf("statement = %+v, want Deny execute-api:Invoke on %s", st, tt.want)
			}
		})
	}
}

// iamGlob is IAM's resource match: "*" is any run of characters, "/" included.
func iamGlob(pattern, s string) bool {
	if pattern == "" {
		return s == ""
	}
	if pattern[0] == '*' {
		for i := 0; i <= len(s); i++ {
			if iamGlob(pattern[1:], s[i:]) {
				return true
			}
		}
		return false
	}
	return s != "" && pattern[0] == s[0] && iamGlob(pattern[1:], s[1:])
}

// The cached policy must let through every call Allows accepts; otherwise a
// token gets 403 on routes it holds once its policy is cached.
func TestAllowPolicyCoversAllowedCalls(t *testing.T) {
	t.Parallel()
	c := defaultCat(t)
	arn := mustARN(t, "arn:aws:execute-api:us-east-1:123456789012:abcdef123/prod/GET/whoami")
	calls := []struct{ method, path string }{
		{"GET", "/whoami"}, {"GET", "/tokens"}, {"GET", "/tokens/tk_1"}, {"GET", "/tokens/tk_1/usage"},
		{"POST", "/tokens"}, {"POST", "/tokens/revoke"}, {"PUT", "/tokens/tk_1/blocked-ips/10.0.0.1"},
		{"PUT", "/owners/alice/status"}, {"GET", "/orders/9"}, {"DELETE", "/orders/9"},
		{"GET", "/reports/2024/q1"},
	}
	tokens := [][]string{
		{"tokens:read"}, {"tokens:write"}, {"tokens:admin"}, {"orders:full"},
		{"orders:read", "reports:read"}, {"orders:write"},
	}
	for _, scopes := range tokens {
		expanded, err := c.Expand(scopes)
		if err != nil {
			t.Fatalf("Expand(%v): %v", scopes, err)
		}
		resources := AllowPolicy(arn, c.Routes(expanded)).Statement[0].Resource
		for _, call := range calls {
			if !c.Allows(expanded, call.method, call.path) {
				continue
			}
			target := "arn:aws:execute-api:us-east-1:123456789012:abcdef123/prod/" + call.method + call.path
			if !slices.ContainsFunc(resources, func(r string) bool { return iamGlob(r, target) }) {
				t.Errorf("%v: %s %s allowed but not covered by %s", expanded, call.method, call.path, strings.Join(resources, " "))
			}
		}
	}
}
