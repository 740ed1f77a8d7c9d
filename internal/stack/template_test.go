package stack_test

import (
	"maps"
	"slices"
	"strconv"
	"testing"

	"github.com/keymint/keymint/internal/stack"
)

// The example REST API of template.yaml, as the local stack reads it: its
// stage, key source, authorizer and routes, and the two usage plans on its
// stage, whose Refs are their local ids. The HttpApis stay as they were.
func TestLoadTemplateRestAPIAndUsagePlans(t *testing.T) {
	t.Parallel()
	for _, cache := range []int{0, 300} {
		t.Run("AuthorizerCacheSeconds="+strconv.Itoa(cache), func(t *testing.T) {
			t.Parallel()
			st, err := stack.Load("../../template.yaml", stack.Resolver{Parameters: map[string]string{
				"DeployExampleApi": "true", "AuthorizerCacheSeconds": strconv.Itoa(cache)}})
			if err != nil {
				t.Fatal(err)
			}
			if got := slices.Sorted(maps.Keys(st.APIs)); !slices.Equal(got, []string{"ExampleApi", "KeymintApi"}) {
				t.Errorf("HttpApis %v", got)
			}
			if got := slices.Sorted(maps.Keys(st.RestAPIs)); !slices.Equal(got, []string{"ExampleRestApi"}) {
				t.Fatalf("REST APIs %v, want ExampleRestApi", got)
			}
			api := st.RestAPIs["ExampleRestApi"]
			if api.StageName != "v1" || api.APIKeySource != "AUTHORIZER" || !api.APIKeyRequired || api.DefaultAuthorizer != "KeymintAuthorizer" || api.StageVariables != nil {
				t.Errorf("ExampleRestApi %+v", api)
			}
			az := api.Authorizers["KeymintAuthorizer"]
			if az == nil || len(api.Authorizers) != 1 {
				t.Fatalf("authorizers %v", api.Authorizers)
			}
			if az.Function != "ValidateFunction" || az.PayloadType != "REQUEST" || az.ReauthorizeEvery != cache ||
				!slices.Equal(az.IdentityHeaders, []string{"Authorization"}) ||
				!slices.Equal(az.IdentityContext, []string{"httpMethod", "resourcePath", "path", "identity.sourceIp"}) ||
				az.IdentityQueryStrings != nil || az.IdentityStageVariables != nil {
				t.Errorf("authorizer %+v", az)
			}
			var keys []string
			for _, rt := range api.Routes {
				keys = append(keys, rt.Key())
				if rt.Function != "ExampleFunction" || rt.Authorizer != "KeymintAuthorizer" || !rt.APIKeyRequired || rt.API != "ExampleRestApi" {
					t.Errorf("route %+v", rt)
				}
			}
			want := []string{"DELETE /orders/{id}", "GET /orders", "GET /orders/{id}", "GET /reports/{proxy+}", "POST /orders", "PUT /orders/{id}"}
			if slices.Sort(keys); !slices.Equal(keys, want) {
				t.Errorf("routes %v, want %v", keys, want)
			}
			if n := len(st.Functions["ExampleFunction"].Routes); n != 6 {
				t.Errorf("ExampleFunction has %d HttpApi routes, want 6", n)
			}

			plans := map[string]stack.UsagePlan{
				"ExampleFreeUsagePlan": {ID: "examplefreeusageplan", Throttle: &stack.Throttle{RateLimit: 2, BurstLimit: 4}, Quota: &stack.Quota{Limit: 1000, Period: "MONTH"}},
				"ExampleTeamUsagePlan": {ID: "exampleteamusageplan", Throttle: &stack.Throttle{RateLimit: 50, BurstLimit: 100}, Quota: &stack.Quota{Limit: 100000, Period: "DAY"}},
			}
			if got := slices.Sorted(maps.Keys(st.UsagePlans)); !slices.Equal(got, slices.Sorted(maps.Keys(plans))) {
				t.Fatalf("usage plans %v", got)
			}
			for id, w := range plans {
				p := st.UsagePlans[id]
				if p.LogicalID != id || p.ID != w.ID || !slices.Equal(p.APIStages, []stack.APIStage{{API: "ExampleRestApi", Stage: "v1"}}) ||
					*p.Throttle != *w.Throttle || *p.Quota != *w.Quota {
					t.Errorf("%s = %+v (%+v, %+v)", id, p, p.Throttle, p.Quota)
				}
				if out := st.Template.Outputs[id+"Id"]; out.Value != w.ID {
					t.Errorf("output %sId = %v, want the plan's local id %s", id, out.Value, w.ID)
				}
			}
		})
	}
	off, err := stack.Load("../../template.yaml", stack.Resolver{})
	if err != nil {
		t.Fatal(err)
	}
	if len(off.RestAPIs) != 0 || len(off.UsagePlans) != 0 {
		t.Errorf("without DeployExampleApi: REST APIs %v, usage plans %v", off.RestAPIs, off.UsagePlans)
	}
}
