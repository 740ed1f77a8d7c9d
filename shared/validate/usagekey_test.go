package validate_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/keymint/keymint/internal/testkit"
	"github.com/keymint/keymint/shared/app/validatefn"
	"github.com/keymint/keymint/shared/audit"
	"github.com/keymint/keymint/shared/manage"
)

// A REST allow names the owner's API key as usageIdentifierKey, so API
// Gateway meters and throttles the request under its usage plan; an owner
// without one gets an allow without it, and HTTP API answers (simple or
// IAM), which have no usage plans, never carry it.
func TestRESTAllowNamesTheOwnersUsageKey(t *testing.T) {
	t.Parallel()
	f := newFixture(t, testkit.Env{"VALIDATE_CACHE_TTL": "0"})
	tok := f.issue(t, manage.IssueRequest{Name: "rest"})
	restKey := func() []string {
		var keys []string
		for _, name := range []string{"rest-token.json", "rest-request.json"} {
			resp, err := invoke[events.APIGatewayCustomAuthorizerResponse](t, f.h, sample(t, name, tok.Plaintext))
			if err != nil || len(resp.PolicyDocument.Statement) != 1 || resp.PolicyDocument.Statement[0].Effect != "Allow" {
				t.Fatalf("%s: %+v %v", name, resp, err)
			}
			keys = append(keys, resp.UsageIdentifierKey)
		}
		return keys
	}
	if got := restKey(); got[0] != "" || got[1] != "" {
		t.Fatalf("an owner without a key: %q", got)
	}

	key := strings.Repeat("k", 40)
	ctx := context.Background()
	o, err := f.Store.Owner(ctx, "alice")
	if err != nil {
		t.Fatal(err)
	}
	p := o.Policy()
	p.UsageKey, p.UsageKeyID, p.UsagePlan = key, "keyid1", "plan1"
	o, err = f.Store.SetOwnerPolicy(ctx, o, p, audit.Event{At: f.Clock.Now(), Action: audit.OwnerPolicy, Actor: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if _, done, err := f.Store.MarkOwnerTokens(ctx, o, time.Now().Add(time.Minute)); err != nil || !done {
		t.Fatalf("mark: %v %v", done, err)
	}
	if got := restKey(); got[0] != key || got[1] != key {
		t.Errorf("usageIdentifierKey %q, want the owner's key", got)
	}
	iam := *f.App.App
	iam.Config.AuthorizerResp = "iam"
	for name, h := range map[string]lambdaInvoker{"simple": f.h, "iam": validatefn.Lambda(&iam)} {
		out, err := h.Invoke(ctx, sample(t, "http-v2.json", tok.Plaintext))
		var m map[string]any
		if err != nil || json.Unmarshal(out, &m) != nil {
			t.Fatalf("%s %v", out, err)
		}
		if m["isAuthorized"] != true && !strings.Contains(string(out), `"Effect":"Allow"`) {
			t.Fatalf("%s: not an allow: %s", name, out)
		}
		if _, ok := m["usageIdentifierKey"]; ok {
			t.Errorf("%s: an HTTP API answer names a usage key: %s", name, out)
		}
	}
}
