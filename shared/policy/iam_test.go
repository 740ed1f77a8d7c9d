package policy

import (
	"errors"
	"slices"
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

func TestInvokePolicyNamesTheOneARN(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, arn string
		ok        bool
	}{
		{"REST method", "arn:aws:execute-api:us-east-1:123456789012:abcdef123/prod/GET/orders/1", true},
		{"root resource", "arn:aws:execute-api:us-east-1:123456789012:abcdef123/prod/GET/", true},
		{"HTTP API $default route", "arn:aws:execute-api:us-east-1:123456789012:abcdef123/$default/$default", true},
		{"console test stage", "arn:aws:execute-api:us-west-2:123456789012:ymy8tbxw7b/*/GET/whoami", true},
		{"star in a segment", "arn:aws:execute-api:us-east-1:123456789012:abcdef123/prod/GET/orders/*", false},
		{"star inside a segment", "arn:aws:execute-api:us-east-1:123456789012:abcdef123/prod/GET/orders/a*b", false},
		{"question mark", "arn:aws:execute-api:us-east-1:123456789012:abcdef123/prod/GET/orders/1?", false},
		{"policy variable", "arn:aws:execute-api:us-east-1:123456789012:abcdef123/prod/GET/orders/${aws:username}", false},
		{"star method", "arn:aws:execute-api:us-east-1:123456789012:abcdef123/prod/*/orders/1", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			arn := mustARN(t, tt.arn)
			doc, ok := InvokePolicy(tt.arn, arn)
			if ok != tt.ok {
				t.Fatalf("InvokePolicy(%q) ok = %v, want %v", tt.arn, ok, tt.ok)
			}
			if !ok {
				if len(doc.Statement) != 0 {
					t.Errorf("refused, yet a policy: %+v", doc)
				}
				return
			}
			if doc.Version != "2012-10-17" || len(doc.Statement) != 1 {
				t.Fatalf("policy = %+v, want one statement", doc)
			}
			st := doc.Statement[0]
			if st.Effect != "Allow" || !slices.Equal(st.Action, []string{"execute-api:Invoke"}) || !slices.Equal(st.Resource, []string{tt.arn}) {
				t.Errorf("statement = %+v, want Allow execute-api:Invoke on exactly %s", st, tt.arn)
			}
		})
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
