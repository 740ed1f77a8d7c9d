package stack_test

import (
	"errors"
	"maps"
	"slices"
	"testing"

	"github.com/keymint/keymint/internal/stack"
)

// SAM's defaults and an event's own settings: a TOKEN authorizer reads
// Authorization and caches for 300 seconds, an event may turn the API key
// off or the authorizer off, events without RestApiId go to SAM's implicit
// API on its Prod stage, and usage plan settings may come from parameters.
func TestLoadRestAPIDefaults(t *testing.T) {
	t.Parallel()
	st, err := stack.Load(write(t, `
Transform: AWS::Serverless-2016-10-31
Parameters:
  Rate: {Type: Number, Default: 5}
Resources:
  Auth:
    Type: AWS::Serverless::Function
    Properties: {}
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      Variables: {mode: demo}
      Auth:
        DefaultAuthorizer: Tok
        ApiKeyRequired: true
        Authorizers:
          Tok: {FunctionArn: !GetAtt Auth.Arn}
          Req:
            FunctionArn: !GetAtt Auth.Arn
            FunctionPayloadType: REQUEST
            Identity: {QueryStrings: [key], StageVariables: [mode], ReauthorizeEvery: 0}
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        Any: {Type: Api, Properties: {RestApiId: !Ref Api, Method: any, Path: "/x/{proxy+}"}}
        Free: {Type: Api, Properties: {RestApiId: !Ref Api, Method: GET, Path: /free, Auth: {ApiKeyRequired: false, Authorizer: NONE}}}
        Other: {Type: Api, Properties: {RestApiId: !Ref Api, Method: POST, Path: /req, Auth: {Authorizer: Req}}}
        Bare: {Type: Api, Properties: {Method: GET, Path: /bare}}
  Plan:
    Type: AWS::ApiGateway::UsagePlan
    Properties:
      ApiStages: [{ApiId: !Ref Api, Stage: prod}]
      Throttle: {RateLimit: !Ref Rate, BurstLimit: 10}
      Quota: {Limit: 100, Period: WEEK, Offset: 40}
  Unmetered:
    Type: AWS::ApiGateway::UsagePlan
    Properties:
      ApiStages: [{ApiId: !Ref Api, Stage: prod}]
`), stack.Resolver{})
	if err != nil {
		t.Fatal(err)
	}
	api := st.RestAPIs["Api"]
	if api == nil || api.APIKeySource != "HEADER" || !maps.Equal(api.StageVariables, map[string]string{"mode": "demo"}) {
		t.Fatalf("Api %+v", api)
	}
	tok, req := api.Authorizers["Tok"], api.Authorizers["Req"]
	if tok.PayloadType != "TOKEN" || !slices.Equal(tok.IdentityHeaders, []string{"Authorization"}) || tok.ReauthorizeEvery != 300 {
		t.Errorf("TOKEN authorizer %+v", tok)
	}
	if req.PayloadType != "REQUEST" || req.IdentityHeaders != nil || !slices.Equal(req.IdentityQueryStrings, []string{"key"}) ||
		!slices.Equal(req.IdentityStageVariables, []string{"mode"}) || req.ReauthorizeEvery != 0 {
		t.Errorf("REQUEST authorizer %+v", req)
	}
	type want struct {
		authorizer string
		keyed      bool
	}
	routes := map[string]want{"ANY /x/{proxy+}": {"Tok", true}, "GET /free": {"", false}, "POST /req": {"Req", true}}
	if len(api.Routes) != len(routes) {
		t.Fatalf("routes %+v", api.Routes)
	}
	for _, rt := range api.Routes {
		if w, ok := routes[rt.Key()]; !ok || rt.Authorizer != w.authorizer || rt.APIKeyRequired != w.keyed {
			t.Errorf("route %s: authorizer %q, key required %v; want %+v", rt.Key(), rt.Authorizer, rt.APIKeyRequired, w)
		}
	}
	implicit := st.RestAPIs["ServerlessRestApi"]
	if implicit == nil || implicit.StageName != "Prod" || len(implicit.Routes) != 1 || implicit.Routes[0].Key() != "GET /bare" || implicit.Routes[0].APIKeyRequired {
		t.Errorf("implicit API %+v", implicit)
	}
	plan := st.UsagePlans["Plan"]
	if plan.ID != "plan" || *plan.Throttle != (stack.Throttle{RateLimit: 5, BurstLimit: 10}) || *plan.Quota != (stack.Quota{Limit: 100, Period: "WEEK", Offset: 40}) {
		t.Errorf("Plan %+v (%+v, %+v)", plan, plan.Throttle, plan.Quota)
	}
	if u := st.UsagePlans["Unmetered"]; u.Throttle != nil || u.Quota != nil {
		t.Errorf("Unmetered %+v", u)
	}
}

// What API Gateway or SAM would refuse, and what the local stack cannot
// serve as AWS would, is refused with ErrTemplate.
func TestLoadRejectsRest(t *testing.T) {
	t.Parallel()
	const head = `
Resources:
  Auth:
    Type: AWS::Serverless::Function
    Properties: {}
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: v1
      Auth:
        Authorizers:
          Az: {FunctionArn: !GetAtt Auth.Arn, FunctionPayloadType: REQUEST, Identity: {Headers: [Authorization]}}
`
	plan := func(props string) string {
		return head + `
  Plan:
    Type: AWS::ApiGateway::UsagePlan
    Properties:
` + props
	}
	tests := []struct{ name, body string }{
		{"no stage", `
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties: {}
`},
		{"unknown key source", `
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties: {StageName: v1, ApiKeySourceType: COOKIE}
`},
		{"a definition body", `
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties: {StageName: v1, DefinitionBody: {openapi: "3.0.1"}}
`},
		{"an IAM authorizer", `
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties: {StageName: v1, Auth: {DefaultAuthorizer: AWS_IAM}}
`},
		{"a Cognito authorizer", `
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties: {StageName: v1, Auth: {Authorizers: {Pool: {UserPoolArn: "arn:aws:cognito-idp:us-east-1:1:userpool/x"}}}}
`},
		{"an authorizer ARN that is no GetAtt", `
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties: {StageName: v1, Auth: {Authorizers: {Az: {FunctionArn: "arn:aws:lambda:us-east-1:1:function:x"}}}}
`},
		{"an authorizer on a missing function", `
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties: {StageName: v1, Auth: {Authorizers: {Az: {FunctionArn: !GetAtt Nope.Arn}}}}
`},
		{"an unknown payload type", `
Resources:
  Auth:
    Type: AWS::Serverless::Function
    Properties: {}
  Api:
    Type: AWS::Serverless::Api
    Properties: {StageName: v1, Auth: {Authorizers: {Az: {FunctionArn: !GetAtt Auth.Arn, FunctionPayloadType: JWT}}}}
`},
		{"a cached REQUEST authorizer without identity", `
Resources:
  Auth:
    Type: AWS::Serverless::Function
    Properties: {}
  Api:
    Type: AWS::Serverless::Api
    Properties: {StageName: v1, Auth: {Authorizers: {Az: {FunctionArn: !GetAtt Auth.Arn, FunctionPayloadType: REQUEST}}}}
`},
		{"an event on an unknown API", head + `
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        Get: {Type: Api, Properties: {RestApiId: Elsewhere, Method: GET, Path: /x}}
`},
		{"an event with an unknown authorizer", head + `
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        Get: {Type: Api, Properties: {RestApiId: !Ref Api, Method: GET, Path: /x, Auth: {Authorizer: Missing}}}
`},
		{"a duplicate route", head + `
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        One: {Type: Api, Properties: {RestApiId: !Ref Api, Method: GET, Path: /x}}
        Two: {Type: Api, Properties: {RestApiId: !Ref Api, Method: get, Path: /x}}
`},
		{"a plan on a stage the API lacks", plan(`      ApiStages: [{ApiId: !Ref Api, Stage: v2}]`)},
		{"a plan on no API of the template", plan(`      ApiStages: [{ApiId: abc123, Stage: v1}]`)},
		{"a plan with per-method throttles", plan(`      ApiStages: [{ApiId: !Ref Api, Stage: v1, Throttle: {"/x/GET": {RateLimit: 1, BurstLimit: 1}}}]`)},
		{"a plan with an unknown period", plan(`      Quota: {Limit: 10, Period: YEAR}`)},
		{"a plan with a fractional limit", plan(`      Quota: {Limit: 1.5, Period: DAY}`)},
		{"a plan with a negative rate", plan(`      Throttle: {RateLimit: -1, BurstLimit: 1}`)},
		{"a plan with a burst that is no number", plan(`      Throttle: {RateLimit: 1, BurstLimit: lots}`)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := stack.Load(write(t, tc.body), stack.Resolver{})
			if !errors.Is(err, stack.ErrTemplate) {
				t.Fatalf("err = %v, want ErrTemplate", err)
			}
		})
	}
}
