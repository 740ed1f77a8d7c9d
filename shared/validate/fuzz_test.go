package validate_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"testing"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/keymint/keymint/internal/testkit"
	"github.com/keymint/keymint/shared/app/validatefn"
	"github.com/keymint/keymint/shared/manage"
	"github.com/keymint/keymint/shared/validate"
)

// FuzzHandle feeds arbitrary bytes to validate's event router. Whatever
// arrives, it must not panic and must never allow unless the payload
// carries the one real token in the table. Decisions are cached for an hour,
// so after the first lookup the fuzzer runs at memory speed.
func FuzzHandle(f *testing.F) {
	a := testkit.NewApp(f, testkit.Env{"VALIDATE_CACHE_TTL": "1h", "LAST_USED_INTERVAL": "1h", "SCOPES_FILE": "testdata/scopes.json"})
	svc := a.Service()
	issued, err := svc.Issue(context.Background(), ops, manage.IssueRequest{Owner: "alice", Name: "fuzz", Scopes: []string{"sample:call", "tokens:read"}})
	if err != nil {
		f.Fatal(err)
	}
	h := validatefn.Lambda(a.App)
	real := []byte(issued.Plaintext)
	for _, name := range []string{"http-v2.json", "rest-request.json", "rest-token.json"} {
		raw, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(bytes.ReplaceAll(raw, []byte("incoming-client-token"), real))
		f.Add(bytes.ReplaceAll(raw, []byte("incoming-client-token"), append([]byte("Bearer "), real...)))
		f.Add(raw)
	}
	direct, _ := json.Marshal(validate.DirectRequest{Token: issued.Plaintext, Route: "GET /tokens", SourceIP: "192.0.2.1"})
	f.Add(direct)
	f.Add([]byte(`{"token":""}`))
	f.Add([]byte(`{"version":"2.0"}`))
	f.Add([]byte(`{"type":"TOKEN","authorizationToken":null}`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, payload []byte) {
		out, err := lambda.NewHandler(h).Invoke(context.Background(), payload)
		if err != nil || !allows(t, out) {
			return
		}
		if !bytes.Contains(payload, real) {
			t.Fatalf("allowed a payload without the real token: %q", payload)
		}
	})
}

// allows reads any of validate's answer shapes: a simple response, an IAM
// policy (REST or HTTP), or a direct answer.
func allows(t *testing.T, raw []byte) bool {
	var a struct {
		IsAuthorized   bool `json:"isAuthorized"`
		Active         bool `json:"active"`
		PolicyDocument struct {
			Statement []struct{ Effect string }
		} `json:"policyDocument"`
	}
	if err := json.Unmarshal(raw, &a); err != nil {
		t.Fatalf("answer %s: %v", raw, err)
	}
	for _, s := range a.PolicyDocument.Statement {
		if s.Effect == "Allow" {
			return true
		}
	}
	return a.IsAuthorized || a.Active
}
