package validate_test

import (
	"strings"
	"testing"

	"github.com/keymint/keymint/internal/testkit"
	"github.com/keymint/keymint/shared/app/validatefn"
	"github.com/keymint/keymint/shared/manage"
	"github.com/keymint/keymint/shared/validate"
)

// A person's ID token pasted into a route (here one the token may not
// call, so validate logs scope_denied with the route) reaches the log with
// its payload and signature masked, as a keymint token's secret is.
func TestJWTInRouteIsMaskedInTheLog(t *testing.T) {
	t.Parallel()
	var logs testkit.Buffer
	is := testkit.NewIssuer(t)
	a := testkit.NewLoggingApp(t, testkit.Env{"SCOPES_FILE": "testdata/scopes.json"}, &logs)
	f := &fixture{App: a, svc: a.Service(), h: validatefn.Lambda(a.App)}
	tok := f.issue(t, manage.IssueRequest{Name: "reader", Scopes: []string{"tokens:read"}})
	jwt := is.Sign(t, is.Claims("alice", a.Clock.Now()))
	payloadAndSignature := jwt[strings.Index(jwt, ".")+1:]
	for _, route := range []string{"GET /owners/" + jwt, "DELETE /tokens/" + jwt, "GET /nowhere/" + jwt + "/x"} {
		if got := f.direct(t, validate.DirectRequest{Token: tok.Plaintext, Route: route, SourceIP: "192.0.2.1"}); got.Active {
			t.Fatalf("%s: active, want refused", route)
		}
	}
	out := logs.String()
	if !strings.Contains(out, "scope_denied") || !strings.Contains(out, ".[REDACTED]") {
		t.Fatalf("no scope_denied line with a masked JWT; the test would prove nothing:\n%s", out)
	}
	if strings.Contains(out, payloadAndSignature) || strings.Contains(out, strings.Split(jwt, ".")[2]) {
		t.Fatalf("an ID token reached the log:\n%s", out)
	}
}
