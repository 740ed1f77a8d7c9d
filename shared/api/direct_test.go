package api_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/keymint/keymint/internal/testkit"
)

// A direct invoke fails with an errorType scripts can match, never the Go
// type name aws-lambda-go would otherwise report ("errorString").
func TestDirectInvokeErrorTypes(t *testing.T) {
	t.Parallel()
	s := newStack(t, testkit.Env{})
	ops := `{"owner":"ops","name":"nightly","scopes":["tokens:read"]}`
	if _, err := s.handlers["issue"].Invoke(context.Background(), []byte(ops)); err != nil {
		t.Fatalf("first direct issue: %v", err)
	}
	cases := []struct {
		name, fn, payload, want string
	}{
		{"not JSON", "issue", `[1,2]`, "InvalidInput"},
		{"no owner", "issue", `{"name":"x","scopes":["tokens:read"]}`, "InvalidInput"},
		{"unknown field", "issue", `{"owner":"ops","name":"x","scopes":["tokens:read"],"nme":1}`, "InvalidInput"},
		{"name taken", "issue", ops, "Conflict"},
		{"unknown report", "describe", `{"report":"everything"}`, "InvalidInput"},
		{"last admin owner", "revoke", `{"owner":"admin","status":"disabled"}`, "Lockout"},
		{"bad status", "revoke", `{"owner":"ops","status":"gone"}`, "InvalidInput"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, err := s.handlers[c.fn].Invoke(context.Background(), []byte(c.payload))
			var ie messages.InvokeResponse_Error
			if !errors.As(err, &ie) {
				t.Fatalf("answer %s, error %T %v; want an InvokeResponse_Error", out, err, err)
			}
			if ie.Type != c.want || ie.Message == "" {
				t.Errorf("errorType %q message %q; want type %q and a message", ie.Type, ie.Message, c.want)
			}
		})
	}
}
