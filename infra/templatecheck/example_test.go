package templatecheck_test

import (
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/keymint/keymint/internal/cfn"
	"github.com/keymint/keymint/internal/stack"
	"github.com/keymint/keymint/shared/example"
)

// exampleResources are everything the template makes for the example API.
var exampleResources = []string{"ExampleApi", "ExampleApiAuthorizerPermission", "ExampleFreeUsagePlan", "ExampleFunction", "ExampleFunctionLogs",
	"ExampleRestApi", "ExampleTeamUsagePlan"}

// exampleOutputs are the outputs that name them.
var exampleOutputs = []string{"ExampleApiUrl", "ExampleFreeUsagePlanId", "ExampleRestApiUrl", "ExampleTeamUsagePlanId"}

// TestExampleApiOnlyWhenAsked: the example orders API and its backend are
// made only with DeployExampleApi=true (default false), all of them under
// the one condition, and its URL is an output only then.
func TestExampleApiOnlyWhenAsked(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(root(t), "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	js, err := cfn.ToJSON(raw)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Parameters map[string]struct{ Default any }
		Conditions map[string]any
		Resources  map[string]struct{ Condition string }
		Outputs    map[string]struct{ Condition string }
	}
	if err := json.Unmarshal(js, &doc); err != nil {
		t.Fatal(err)
	}
	if p, ok := doc.Parameters["DeployExampleApi"]; !ok || p.Default != "false" {
		t.Errorf("parameter DeployExampleApi %+v (present %v), want default false", p, ok)
	}
	if got, _ := json.Marshal(doc.Conditions["CreateExampleApi"]); string(got) != `{"Fn::Equals":[{"Ref":"DeployExampleApi"},"true"]}` {
		t.Errorf("condition CreateExampleApi = %s", got)
	}
	var conditional []string
	for id, r := range doc.Resources {
		if r.Condition == "CreateExampleApi" {
			conditional = append(conditional, id)
		}
	}
	if slices.Sort(conditional); !slices.Equal(conditional, exampleResources) {
		t.Errorf("resources under CreateExampleApi %v, want %v", conditional, exampleResources)
	}
	for _, o := range exampleOutputs {
		if doc.Outputs[o].Condition != "CreateExampleApi" {
			t.Errorf("output %s is not under CreateExampleApi", o)
		}
	}

	off, err := stack.Load(filepath.Join(root(t), "template.yaml"), stack.Resolver{Refs: map[string]string{"TokenTable": "keymint-tokens"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range exampleResources {
		if _, ok := off.Template.Resources[id]; ok {
			t.Errorf("default deploy makes %s", id)
		}
	}
	for _, o := range exampleOutputs {
		if _, ok := off.Template.Outputs[o]; ok {
			t.Errorf("default deploy has output %s", o)
		}
	}
	if off.APIs["ExampleApi"] != nil || off.RestAPIs["ExampleRestApi"] != nil || len(off.UsagePlans) != 0 || off.Functions["ExampleFunction"] != nil {
		t.Error("default deploy has an example API, usage plan or the example function")
	}
	on := load(t)
	if o := on.Template.Outputs["ExampleApiUrl"]; o.Value != "https://ExampleApi.execute-api.us-east-1.amazonaws.com/" {
		t.Errorf("ExampleApiUrl = %v", o.Value)
	}
	// keymint's own API is the same either way.
	if a, b := off.APIs["KeymintApi"], on.APIs["KeymintApi"]; len(a.Routes) != len(b.Routes) || !maps.Equal(a.StageVariables, b.StageVariables) {
		t.Error("DeployExampleApi changes KeymintApi")
	}
}

// TestExampleApiSitsLikeACustomersAPI: ExampleApi is set up as docs/deploy.md
// tells a customer to set up their own API: ValidateFunction as its default
// Lambda authorizer exactly as KeymintApi has it, but no stage variables
// (so no person's ID token opens it); every route it has is the example
// backend's, behind the authorizer; the backend has no policy beyond logs.
func TestExampleApiSitsLikeACustomersAPI(t *testing.T) {
	st := load(t)
	api, keymint := st.APIs["ExampleApi"], st.APIs["KeymintApi"]
	if api == nil {
		t.Fatal("no ExampleApi with DeployExampleApi=true")
	}
	if api.StageVariables != nil {
		t.Errorf("ExampleApi has stage variables %v; a customer's API carries none", api.StageVariables)
	}
	az, kaz := api.Authorizers[api.DefaultAuthorizer], keymint.Authorizers[keymint.DefaultAuthorizer]
	if az == nil || len(api.Authorizers) != 1 {
		t.Fatalf("ExampleApi authorizers %v, default %q", api.Authorizers, api.DefaultAuthorizer)
	}
	if az.Function != "ValidateFunction" || az.PayloadFormatVersion != kaz.PayloadFormatVersion || az.SimpleResponses != kaz.SimpleResponses ||
		!slices.Equal(az.IdentityHeaders, kaz.IdentityHeaders) || !slices.Equal(az.IdentityContext, kaz.IdentityContext) {
		t.Errorf("ExampleApi's authorizer %+v differs from KeymintApi's %+v", az, kaz)
	}
	for _, secs := range []int{0, 60, 3600} {
		st := loadWith(t, map[string]string{"DeployExampleApi": "true", "AuthorizerCacheSeconds": strconv.Itoa(secs)})
		a := st.APIs["ExampleApi"]
		if got := a.Authorizers[a.DefaultAuthorizer].ReauthorizeEvery; got != secs {
			t.Errorf("AuthorizerCacheSeconds=%d: ExampleApi ReauthorizeEvery %d", secs, got)
		}
	}
	var routes []string
	for _, r := range api.Routes {
		routes = append(routes, r.Key())
		if r.Function != "ExampleFunction" || r.Authorizer != api.DefaultAuthorizer {
			t.Errorf("%s: function %s, authorizer %q", r.Key(), r.Function, r.Authorizer)
		}
	}
	if slices.Sort(routes); !slices.Equal(routes, slices.Sorted(slices.Values(example.Routes()))) {
		t.Errorf("ExampleApi routes %v, the example backend serves %v", routes, example.Routes())
	}
	for _, r := range keymint.Routes {
		if r.Function == "ExampleFunction" {
			t.Errorf("KeymintApi route %s goes to the example backend", r.Key())
		}
	}
	if f := st.Functions["ExampleFunction"]; len(f.Statements) != 0 || f.OtherPolicies != 0 {
		t.Errorf("ExampleFunction policies %+v (+%d); it calls nothing", f.Statements, f.OtherPolicies)
	}
	// API Gateway may call the authorizer for this API's authorizers only.
	perm, _ := json.Marshal(rawTemplate(t)["Resources"].(map[string]any)["ExampleApiAuthorizerPermission"])
	if !strings.Contains(string(perm), ":${ExampleApi}/authorizers/*") || !strings.Contains(string(perm), `"FunctionName":{"Fn::GetAtt":["ValidateFunction","Arn"]}`) {
		t.Errorf("ExampleApiAuthorizerPermission %s does not let ExampleApi's authorizers call ValidateFunction", perm)
	}
}
