package templatecheck_test

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/keymint/keymint/shared/example"
)

// TestExampleRestApiMetersByUsagePlans: ExampleRestApi is the example API
// as a REST API behind ValidateFunction's REQUEST authorizer, cached as the
// HTTP APIs are (per request and caller IP, for AuthorizerCacheSeconds),
// whose every method needs an API key of a usage plan, taken from the
// authorizer's answer; its routes are the example backend's; and the two
// usage plans meter its one stage, created after it.
func TestExampleRestApiMetersByUsagePlans(t *testing.T) {
	st := load(t)
	api := st.RestAPIs["ExampleRestApi"]
	if api == nil {
		t.Fatal("no ExampleRestApi with DeployExampleApi=true")
	}
	if api.APIKeySource != "AUTHORIZER" || !api.APIKeyRequired || api.StageVariables != nil {
		t.Errorf("ExampleRestApi: key source %s, key required %v, stage variables %v", api.APIKeySource, api.APIKeyRequired, api.StageVariables)
	}
	az := api.Authorizers[api.DefaultAuthorizer]
	if az == nil || len(api.Authorizers) != 1 {
		t.Fatalf("ExampleRestApi authorizers %v, default %q", api.Authorizers, api.DefaultAuthorizer)
	}
	if az.Function != "ValidateFunction" || az.PayloadType != "REQUEST" || !slices.Equal(az.IdentityHeaders, []string{"Authorization"}) ||
		!slices.Equal(az.IdentityContext, []string{"httpMethod", "resourcePath", "path", "identity.sourceIp"}) {
		t.Errorf("ExampleRestApi's authorizer %+v", az)
	}
	for _, secs := range []int{0, 60, 3600} {
		a := loadWith(t, map[string]string{"AuthorizerCacheSeconds": strconv.Itoa(secs)}).RestAPIs["ExampleRestApi"]
		if got := a.Authorizers[a.DefaultAuthorizer].ReauthorizeEvery; got != secs {
			t.Errorf("AuthorizerCacheSeconds=%d: ExampleRestApi ReauthorizeEvery %d", secs, got)
		}
	}
	var routes []string
	for _, r := range api.Routes {
		routes = append(routes, r.Key())
		if r.Function != "ExampleFunction" || r.Authorizer != api.DefaultAuthorizer || !r.APIKeyRequired {
			t.Errorf("%s: function %s, authorizer %q, key required %v", r.Key(), r.Function, r.Authorizer, r.APIKeyRequired)
		}
	}
	if slices.Sort(routes); !slices.Equal(routes, slices.Sorted(slices.Values(example.Routes()))) {
		t.Errorf("ExampleRestApi routes %v, the example backend serves %v", routes, example.Routes())
	}

	resources := rawTemplate(t)["Resources"].(map[string]any)
	stage := api.LogicalID + api.StageName + "Stage" // SAM's name for the stage it generates
	for _, id := range []string{"ExampleFreeUsagePlan", "ExampleTeamUsagePlan"} {
		plan := st.UsagePlans[id]
		if plan == nil || plan.Throttle == nil || plan.Quota == nil || len(plan.APIStages) != 1 ||
			plan.APIStages[0].API != api.LogicalID || plan.APIStages[0].Stage != api.StageName {
			t.Errorf("usage plan %s %+v", id, plan)
			continue
		}
		if dep, _ := resources[id].(map[string]any)["DependsOn"].(string); dep != stage {
			t.Errorf("usage plan %s DependsOn %q, want the API's stage %s", id, dep, stage)
		}
	}
	if url, _ := st.Template.Outputs["ExampleRestApiUrl"].Value.(string); !strings.HasSuffix(url, ".amazonaws.com/"+api.StageName+"/") {
		t.Errorf("ExampleRestApiUrl %q does not end with the stage", url)
	}
}
