package iamcheck_test

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/keymint/keymint/shared/registry"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/keymint/keymint/infra/iamcheck"
	"github.com/keymint/keymint/internal/localgw"
	"github.com/keymint/keymint/internal/testkit"
	"github.com/keymint/keymint/shared/app"
	"github.com/keymint/keymint/shared/audit"
	"github.com/keymint/keymint/shared/config"
	"github.com/keymint/keymint/shared/keyring"
	"github.com/keymint/keymint/shared/manage"
	"github.com/keymint/keymint/shared/sweep"
	"github.com/keymint/keymint/shared/validate"
)

func TestMain(m *testing.M) { testkit.Main(m) }

// gatewayPlans are plans whose usage plans (one REST API stage) make the
// functions that move owners call API Gateway; movedPlans is the same
// catalogue after free moved to another usage plan.
const (
	gatewayPlans = `{"plans": {"free": {"scopes": ["orders:read"], "usagePlanId": "upfree"}, "team": {"scopes": ["orders:read"], "usagePlanId": "upteam"}}}`
	movedPlans   = `{"plans": {"free": {"scopes": ["orders:read"], "usagePlanId": "upfree2"}, "team": {"scopes": ["orders:read"], "usagePlanId": "upteam"}}}`
)

// recorded builds a second App on the test App's table and keyring whose
// DynamoDB client, keyring source and API Gateway control plane record
// every call; its plans name usage plans.
func recorded(t *testing.T, base *testkit.App) (*app.App, *iamcheck.Recorder) {
	t.Helper()
	rec := iamcheck.NewRecorder()
	gw := localgw.New(map[string][]string{"upfree": {"api/v1"}, "upfree2": {"api/v1"}, "upteam": {"api/v1"}}, nil)
	srv := httptest.NewServer(iamcheck.Gateway{Inner: gw, Rec: rec})
	t.Cleanup(srv.Close)
	cfg := base.Config
	cfg.PlansJSON, cfg.DefaultPlan, cfg.APIGatewayEndpoint = gatewayPlans, "free", srv.URL
	return withConfig(t, base, rec, cfg), rec
}

// withConfig is the recorded App of cfg.
func withConfig(t *testing.T, base *testkit.App, rec *iamcheck.Recorder, cfg config.Config) *app.App {
	t.Helper()
	awsCfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("local", "local", "")}
	a, err := app.Assemble(cfg, awsCfg, iamcheck.DB{Inner: base.DB, Rec: rec},
		iamcheck.Source{Inner: keyring.StaticSource(base.KeyringJSON), Rec: rec}, base.Clock, base.Log)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// loseKey forgets owner's API key on its item (not in API Gateway), as
// when the owner write after API Gateway took the key was lost. Its audit
// event is stamped an hour back: the functions' services stamp theirs from
// the same stopped clock, and two events of one owner and instant collide.
func loseKey(t *testing.T, base *testkit.App, owner string) {
	t.Helper()
	o, err := base.Store.Owner(context.Background(), owner)
	if err != nil {
		t.Fatal(err)
	}
	p := o.Policy()
	p.UsageKey, p.UsageKeyID, p.UsagePlan = "", "", ""
	if _, err := base.Store.SetOwnerPolicy(context.Background(), o, p, audit.Event{At: base.Clock.Now().Add(-time.Hour), Action: audit.OwnerPolicy, Actor: "test"}); err != nil {
		t.Fatal(err)
	}
}

var ops = manage.Caller{Ops: true, Owner: "ops"}

// httpCall invokes an HTTP function as API Gateway would after the
// authorizer let an admin through.
func httpCall(t *testing.T, h lambda.Handler, routeKey string, params map[string]string, body any, query map[string]string) int {
	t.Helper()
	b, _ := json.Marshal(body)
	ev := events.APIGatewayV2HTTPRequest{
		Version: "2.0", RouteKey: routeKey, PathParameters: params, QueryStringParameters: query, Body: string(b),
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{SourceIP: "198.51.100.1"},
			Authorizer: &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{Lambda: map[string]any{
				"tokenId": "AAAAAAAAAAAAAAAA", "owner": "admin", "scopes": "tokens:admin tokens:read tokens:write",
			}},
		},
	}
	if body == nil {
		ev.Body = ""
	}
	raw, _ := json.Marshal(ev)
	out, err := h.Invoke(context.Background(), raw)
	if err != nil {
		t.Fatalf("%s: %v", routeKey, err)
	}
	var resp events.APIGatewayV2HTTPResponse
	_ = json.Unmarshal(out, &resp)
	if resp.StatusCode >= 500 {
		t.Fatalf("%s: %d %s", routeKey, resp.StatusCode, resp.Body)
	}
	return resp.StatusCode
}

func issue(t *testing.T, base *testkit.App, owner, name string) *manage.Issued {
	t.Helper()
	svc := base.Service()
	out, err := svc.Issue(context.Background(), ops, manage.IssueRequest{Owner: owner, Name: name, Scopes: []string{"tokens:read"}, ExpiresInDays: ptr(10)})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func ptr[T any](v T) *T { return &v }

// notifier stands in for EventBridge: each batch is one PutEvents call.
type notifier struct{ rec *iamcheck.Recorder }

func (n notifier) Notify(context.Context, []sweep.Notice) error {
	n.rec.Add("events:PutEvents", iamcheck.EventBus)
	return nil
}

// scenarios drive every code path of each function that reaches AWS.
var scenarios = map[string]func(t *testing.T, base *testkit.App, a *app.App, rec *iamcheck.Recorder){
	"ValidateFunction": func(t *testing.T, base *testkit.App, a *app.App, rec *iamcheck.Recorder) {
		tok := issue(t, base, "alice", "v")
		h := registry.Functions()["ValidateFunction"](a)
		for _, req := range []validate.DirectRequest{
			{Token: tok.Plaintext, Route: "GET /whoami", SourceIP: "198.51.100.1"},
			{Token: "kmt_QQQQQQQQQQQQQQQQ_" + tok.Plaintext[len("kmt_")+17:]},
		} {
			raw, _ := json.Marshal(req)
			if _, err := h.Invoke(context.Background(), raw); err != nil {
				t.Fatal(err)
			}
		}
	},
	"IssueFunction": func(t *testing.T, base *testkit.App, a *app.App, rec *iamcheck.Recorder) {
		src := issue(t, base, "admin", "src")
		h := registry.Functions()["IssueFunction"](a)
		httpCall(t, h, "POST /tokens", nil, map[string]any{"name": "n1", "scopes": []string{"tokens:read"}}, nil)
		httpCall(t, h, "PATCH /tokens/{id}", map[string]string{"id": src.Token.ID}, map[string]any{"name": "renamed"}, nil)
		httpCall(t, h, "POST /tokens/{id}/regenerate", map[string]string{"id": src.Token.ID}, map[string]any{"graceSeconds": 60}, nil)
		httpCall(t, h, "POST /tokens/{id}/copy", map[string]string{"id": src.Token.ID}, map[string]any{"name": "copy"}, nil)
		direct := func(h lambda.Handler, name string) {
			raw, _ := json.Marshal(map[string]any{"owner": "bob", "name": name, "scopes": []string{"tokens:read"}})
			if _, err := h.Invoke(context.Background(), raw); err != nil {
				t.Fatalf("issue %s: %v", name, err)
			}
		}
		direct(h, "direct")
		// bob's key was taken but its owner write lost: the next create
		// finds the key by name and asks whether it is in the plan.
		loseKey(t, base, "bob")
		direct(h, "again")
		// The catalogue moved free to another usage plan: the next create
		// moves bob's key there.
		cfg := a.Config
		cfg.PlansJSON = movedPlans
		direct(registry.Functions()["IssueFunction"](withConfig(t, base, rec, cfg)), "moved")
	},
	"RevokeFunction": func(t *testing.T, base *testkit.App, a *app.App, rec *iamcheck.Recorder) {
		x := issue(t, base, "carol", "x")
		y := issue(t, base, "carol", "y")
		h := registry.Functions()["RevokeFunction"](a)
		id := map[string]string{"id": x.Token.ID}
		httpCall(t, h, "POST /tokens/{id}/deactivate", id, nil, nil)
		httpCall(t, h, "POST /tokens/{id}/activate", id, nil, nil)
		httpCall(t, h, "PUT /tokens/{id}/blocked-ips/{ip}", map[string]string{"id": x.Token.ID, "ip": "192.0.2.1"}, nil, nil)
		httpCall(t, h, "DELETE /tokens/{id}/blocked-ips/{ip}", map[string]string{"id": x.Token.ID, "ip": "192.0.2.1"}, nil, nil)
		httpCall(t, h, "PUT /owners/{owner}/status", map[string]string{"owner": "carol"}, map[string]any{"status": "disabled"}, nil)
		httpCall(t, h, "PUT /owners/{owner}/status", map[string]string{"owner": "carol"}, map[string]any{"status": "active"}, nil)
		httpCall(t, h, "PATCH /owners/{owner}", map[string]string{"owner": "carol"}, map[string]any{"singleToken": true}, nil)
		// Plans with usage plans: carol's key is made, moved, and found
		// again after its owner write was lost.
		for _, plan := range []string{"team", "free"} {
			httpCall(t, h, "PATCH /owners/{owner}", map[string]string{"owner": "carol"}, map[string]any{"plan": plan}, nil)
		}
		loseKey(t, base, "carol")
		httpCall(t, h, "PATCH /owners/{owner}", map[string]string{"owner": "carol"}, map[string]any{"plan": "free"}, nil)
		httpCall(t, h, "POST /tokens/deactivate", nil, map[string]any{"ids": []string{y.Token.ID}}, nil)
		httpCall(t, h, "POST /tokens/activate", nil, map[string]any{"ids": []string{y.Token.ID}}, nil)
		httpCall(t, h, "DELETE /tokens/{id}", id, nil, nil)
		httpCall(t, h, "POST /tokens/revoke", nil, map[string]any{"ids": []string{y.Token.ID}}, nil)
	},
	"DescribeFunction": func(t *testing.T, base *testkit.App, a *app.App, rec *iamcheck.Recorder) {
		x := issue(t, base, "admin", "x")
		h := registry.Functions()["DescribeFunction"](a)
		id := map[string]string{"id": x.Token.ID}
		httpCall(t, h, "GET /tokens", nil, nil, map[string]string{"owner": "admin"})
		httpCall(t, h, "GET /tokens/{id}", id, nil, nil)
		httpCall(t, h, "GET /tokens/{id}/usage", id, nil, nil)
		httpCall(t, h, "GET /tokens/{id}/audit", id, nil, nil)
		httpCall(t, h, "GET /whoami", nil, nil, nil)
		httpCall(t, h, "GET /openapi.json", nil, nil, nil)
		httpCall(t, h, "GET /owners/{owner}/audit", map[string]string{"owner": "admin"}, nil, nil)
		httpCall(t, h, "GET /scopes", nil, nil, nil)
		httpCall(t, h, "GET /owners", nil, nil, nil)
		httpCall(t, h, "GET /owners/{owner}", map[string]string{"owner": "admin"}, nil, nil)
		if _, err := h.Invoke(context.Background(), []byte(`{"report":"keyUsage"}`)); err != nil {
			t.Fatal(err)
		}
	},
	"SweeperFunction": func(t *testing.T, base *testkit.App, a *app.App, rec *iamcheck.Recorder) {
		issue(t, base, "dan", "ten-days")
		issue(t, base, "erin", "other")
		s := sweep.New(a.Store, notifier{rec}, base.Clock, base.Log, sweep.NowAllowed)
		// Notices (within 7 days of expiry), expiry, then the TTL backstop.
		for _, days := range []int{4, 11, 200} {
			if _, err := s.Run(context.Background(), sweep.Options{Now: testkit.Start.Add(time.Duration(days) * 24 * time.Hour)}); err != nil {
				t.Fatal(err)
			}
		}
	},
}

func TestEachPolicyNamesExactlyWhatItsCodeCalls(t *testing.T) {
	t.Parallel()
	root, err := testkit.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	policies, err := iamcheck.Policies(filepath.Join(root, "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for fn, scenario := range scenarios {
		t.Run(fn, func(t *testing.T) {
			base := testkit.NewApp(t, testkit.Env{"SINGLE_TOKEN_PER_OWNER": "true"})
			a, rec := recorded(t, base)
			scenario(t, base, a, rec)
			got := rec.Actions()
			want := policies[fn]
			if !slices.Equal(got, want) {
				t.Fatalf("%s\n code calls: %v\n policy:     %v", fn, got, want)
			}
		})
	}
	if len(policies) != len(scenarios) {
		t.Fatalf("template has %d functions, the test drives %d", len(policies), len(scenarios))
	}
}
