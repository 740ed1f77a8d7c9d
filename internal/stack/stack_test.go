package stack_test

import (
	"errors"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/keymint/keymint/internal/stack"
)

func write(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "template.yaml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

const base = `
Transform: AWS::Serverless-2016-10-31
Parameters:
  Days: {Type: Number, Default: 30}
  Prefix: {Type: String, Default: kmt}
  Flag: {Type: String, Default: "true"}
Globals:
  Function:
    Runtime: provided.al2023
    Architectures: [arm64]
    Timeout: 10
    Environment:
      Variables:
        DAYS: !Ref Days
        PREFIX: !Ref Prefix
        SHARED: global
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      KeySchema: [{AttributeName: PK, KeyType: HASH}]
      DeletionProtectionEnabled: !Ref Flag
  Api:
    Type: AWS::Serverless::HttpApi
    Properties:
      Auth:
        DefaultAuthorizer: Az
        Authorizers:
          Az:
            FunctionArn: !GetAtt Auth.Arn
            AuthorizerPayloadFormatVersion: "2.0"
            EnableSimpleResponses: true
            Identity:
              Headers: [Authorization]
              Context: [routeKey]
              ReauthorizeEvery: !Ref Days
  Auth:
    Type: AWS::Serverless::Function
    Metadata: {BuildMethod: makefile}
    Properties:
      CodeUri: .
      Handler: bootstrap
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Timeout: 5
      Environment:
        Variables:
          TABLE: !Ref Table
          SHARED: mine
          ARN: !GetAtt Table.Arn
          SUB: !Sub "${Table.Arn}/index/GSI1 in ${AWS::Region} ${!Literal} ${Prefix}"
          SUBVARS: !Sub ["${a}-${Prefix}", {a: x}]
      Policies:
        - Statement:
            - Effect: Allow
              Action: dynamodb:GetItem
              Resource: !GetAtt Table.Arn
            - Sid: Two
              Effect: Allow
              Action: [dynamodb:Query, dynamodb:PutItem]
              Resource: [!Sub "${Table.Arn}/index/*"]
        - AWSLambdaBasicExecutionRole
      Events:
        Get:
          Type: HttpApi
          Properties: {ApiId: !Ref Api, Method: get, Path: "/items/{id}"}
        Open:
          Type: HttpApi
          Properties: {ApiId: !Ref Api, Method: GET, Path: /open, Auth: {Authorizer: NONE}}
        Tick:
          Type: Schedule
          Properties: {Schedule: rate(5 minutes)}
`

func TestLoadResolvesAndMerges(t *testing.T) {
	t.Parallel()
	st, err := stack.Load(write(t, base), stack.Resolver{
		Refs:   map[string]string{"Table": "local-table"},
		GetAtt: func(res, attr string) string { return "arn:" + res + "." + attr },
	})
	if err != nil {
		t.Fatal(err)
	}
	fn := st.Functions["Fn"]
	if fn == nil {
		t.Fatal("Fn missing")
	}
	wantEnv := map[string]string{
		"DAYS":    "30",
		"PREFIX":  "kmt",
		"SHARED":  "mine", // the function's own value beats Globals
		"TABLE":   "local-table",
		"ARN":     "arn:Table.Arn",
		"SUB":     "arn:Table.Arn/index/GSI1 in us-east-1 ${Literal} kmt",
		"SUBVARS": "x-kmt",
	}
	for k, want := range wantEnv {
		if got := fn.Env[k]; got != want {
			t.Errorf("Env[%s] = %q, want %q", k, got, want)
		}
	}
	if len(fn.Env) != len(wantEnv) {
		t.Errorf("Env = %v", fn.Env)
	}
	if fn.Timeout != 5 || fn.Runtime != "provided.al2023" || !slices.Equal(fn.Architectures, []string{"arm64"}) || fn.MemorySize != 128 {
		t.Errorf("Timeout/Runtime/Arch/Memory = %d %s %v %d", fn.Timeout, fn.Runtime, fn.Architectures, fn.MemorySize)
	}
	if auth := st.Functions["Auth"]; auth.Timeout != 10 || auth.BuildMethod != "makefile" || auth.CodeURI != "." || auth.Handler != "bootstrap" {
		t.Errorf("Auth = %+v", auth)
	}
	if len(fn.Statements) != 2 || fn.OtherPolicies != 1 {
		t.Fatalf("statements %+v, other %d", fn.Statements, fn.OtherPolicies)
	}
	if s := fn.Statements[1]; s.Sid != "Two" || !slices.Equal(s.Actions, []string{"dynamodb:Query", "dynamodb:PutItem"}) ||
		!slices.Equal(s.Resources, []string{"arn:Table.Arn/index/*"}) {
		t.Errorf("statement = %+v", s)
	}
	if !slices.Equal(fn.Schedules, []string{"rate(5 minutes)"}) {
		t.Errorf("schedules = %v", fn.Schedules)
	}
	api := st.APIs["Api"]
	if api == nil || len(api.Routes) != 2 {
		t.Fatalf("api = %+v", api)
	}
	for _, r := range api.Routes {
		switch r.Key() {
		case "GET /items/{id}":
			if r.Authorizer != "Az" || r.Function != "Fn" {
				t.Errorf("route %+v", r)
			}
		case "GET /open":
			if r.Authorizer != "" {
				t.Errorf("Auth NONE route has authorizer %q", r.Authorizer)
			}
		default:
			t.Errorf("unexpected route %s", r.Key())
		}
	}
	az := api.Authorizers["Az"]
	if az == nil || az.Function != "Auth" || !az.SimpleResponses || az.PayloadFormatVersion != "2.0" ||
		!slices.Equal(az.IdentityHeaders, []string{"Authorization"}) || !slices.Equal(az.IdentityContext, []string{"routeKey"}) || az.ReauthorizeEvery != 30 {
		t.Errorf("authorizer = %+v", az)
	}
}

func TestLoadParameterOverridesAndDefaults(t *testing.T) {
	t.Parallel()
	st, err := stack.Load(write(t, base), stack.Resolver{Parameters: map[string]string{"Prefix": "abc"}})
	if err != nil {
		t.Fatal(err)
	}
	env := st.Functions["Fn"].Env
	tests := []struct{ key, want string }{
		{"PREFIX", "abc"},
		{"TABLE", "Table"}, // a resource without a Refs entry is its logical id
		{"ARN", ""},        // no GetAtt resolver: nothing deployed to ask
	}
	for _, tc := range tests {
		if env[tc.key] != tc.want {
			t.Errorf("%s = %q, want %q", tc.key, env[tc.key], tc.want)
		}
	}
}

func TestLoadRejects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		body string
	}{
		{"authorizer not a GetAtt", `
Resources:
  Api:
    Type: AWS::Serverless::HttpApi
    Properties:
      Auth:
        Authorizers:
          Az: {FunctionArn: "arn:aws:lambda:us-east-1:1:function:x"}
`},
		{"authorizer on a missing function", `
Resources:
  Api:
    Type: AWS::Serverless::HttpApi
    Properties:
      Auth:
        Authorizers:
          Az: {FunctionArn: !GetAtt Nope.Arn}
`},
		{"duplicate route", `
Resources:
  A:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        One: {Type: HttpApi, Properties: {Method: GET, Path: /x}}
  B:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        Two: {Type: HttpApi, Properties: {Method: GET, Path: /x}}
`},
		{"unknown api", `
Resources:
  A:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        One: {Type: HttpApi, Properties: {ApiId: Elsewhere, Method: GET, Path: /x}}
`},
		{"unknown authorizer", `
Resources:
  A:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        One: {Type: HttpApi, Properties: {Method: GET, Path: /x, Auth: {Authorizer: Missing}}}
`},
		{"not YAML", "Resources: [unclosed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := stack.Load(write(t, tc.body), stack.Resolver{})
			if !errors.Is(err, stack.ErrTemplate) {
				t.Fatalf("err = %v, want ErrTemplate", err)
			}
		})
	}
}

func TestLoadImplicitAPI(t *testing.T) {
	t.Parallel()
	st, err := stack.Load(write(t, `
Resources:
  A:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        One: {Type: HttpApi, Properties: {Method: POST, Path: /x}}
`), stack.Resolver{})
	if err != nil {
		t.Fatal(err)
	}
	api := st.APIs["ServerlessHttpApi"]
	if api == nil || len(api.Routes) != 1 || api.Routes[0].Key() != "POST /x" || api.Routes[0].Authorizer != "" {
		t.Fatalf("implicit API = %+v", api)
	}
}

// An HttpApi's StageVariables (what API Gateway passes in every authorizer
// and integration event) are read with intrinsics resolved.
func TestLoadStageVariables(t *testing.T) {
	t.Parallel()
	st, err := stack.Load(write(t, `
Transform: AWS::Serverless-2016-10-31
Parameters:
  Mode: {Type: String, Default: management}
Resources:
  Api:
    Type: AWS::Serverless::HttpApi
    Properties:
      StageVariables:
        keymint: !Ref Mode
        plain: value
  Bare:
    Type: AWS::Serverless::HttpApi
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        One: {Type: HttpApi, Properties: {ApiId: !Ref Api, Method: GET, Path: /x}}
        Two: {Type: HttpApi, Properties: {ApiId: !Ref Bare, Method: GET, Path: /y}}
        Three: {Type: HttpApi, Properties: {Method: GET, Path: /z}}
`), stack.Resolver{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := st.APIs["Api"].StageVariables, map[string]string{"keymint": "management", "plain": "value"}; !maps.Equal(got, want) {
		t.Errorf("Api stage variables %v, want %v", got, want)
	}
	for _, id := range []string{"Bare", "ServerlessHttpApi"} {
		if got := st.APIs[id].StageVariables; got != nil {
			t.Errorf("%s stage variables %v, want none", id, got)
		}
	}
	st, err = stack.Load(write(t, `
Parameters:
  Mode: {Type: String, Default: management}
Resources:
  Api:
    Type: AWS::Serverless::HttpApi
    Properties:
      StageVariables: {keymint: !Ref Mode}
`), stack.Resolver{Parameters: map[string]string{"Mode": "other"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := st.APIs["Api"].StageVariables["keymint"]; got != "other" {
		t.Errorf("overridden stage variable %q, want other", got)
	}
}

// Fn::If follows its condition as CloudFormation evaluates it from the
// parameters; a conditional resource exists only when its condition holds.
func TestLoadConditions(t *testing.T) {
	t.Parallel()
	const tmpl = `
Transform: AWS::Serverless-2016-10-31
Parameters:
  Pool: {Type: String, Default: "false"}
  Issuer: {Type: String, Default: ""}
  Cache: {Type: Number, Default: 0}
Conditions:
  MakePool: !Equals [!Ref Pool, "true"]
  NoPool: !Not [!Condition MakePool]
  HasIssuer: !Not [!Equals [!Ref Issuer, ""]]
  Both: !And [!Condition MakePool, !Condition HasIssuer]
  Either: !Or [!Condition MakePool, !Condition HasIssuer]
  Cache60: !Equals [!Ref Cache, 60]
  Loop: !Condition Loop
Resources:
  UserPool:
    Type: AWS::Cognito::UserPool
    Condition: MakePool
    Properties: {UserPoolName: x}
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Environment:
        Variables:
          ISSUER: !If [MakePool, !Sub "https://idp/${UserPool}", !Ref Issuer]
          NO_POOL: !If [NoPool, "yes", "no"]
          BOTH: !If [Both, "yes", "no"]
          EITHER: !If [Either, "yes", "no"]
          CACHE: !If [Cache60, "60", "0"]
          NESTED: !If [MakePool, !If [HasIssuer, "pool+issuer", "pool"], "none"]
          UNKNOWN: !If [Missing, "a", "b"]
          LOOP: !If [Loop, "a", "b"]
Outputs:
  PoolId:
    Condition: MakePool
    Value: !Ref UserPool
`
	tests := []struct {
		params map[string]string
		want   map[string]string
	}{
		{nil, map[string]string{"ISSUER": "", "NO_POOL": "yes", "BOTH": "no", "EITHER": "no", "CACHE": "0", "NESTED": "none"}},
		{map[string]string{"Issuer": "https://x"}, map[string]string{"ISSUER": "https://x", "NO_POOL": "yes", "BOTH": "no", "EITHER": "yes", "CACHE": "0", "NESTED": "none"}},
		{map[string]string{"Pool": "true"}, map[string]string{"ISSUER": "https://idp/UserPool", "NO_POOL": "no", "BOTH": "no", "EITHER": "yes", "CACHE": "0", "NESTED": "pool"}},
		{map[string]string{"Pool": "true", "Issuer": "https://x", "Cache": "60"}, map[string]string{"ISSUER": "https://idp/UserPool", "NO_POOL": "no", "BOTH": "yes", "EITHER": "yes", "CACHE": "60", "NESTED": "pool+issuer"}},
	}
	for _, tc := range tests {
		st, err := stack.Load(write(t, tmpl), stack.Resolver{Parameters: tc.params})
		if err != nil {
			t.Fatal(err)
		}
		env := st.Functions["Fn"].Env
		for k, want := range tc.want {
			if env[k] != want {
				t.Errorf("%v: %s = %q, want %q", tc.params, k, env[k], want)
			}
		}
		// A condition that is missing or names itself resolves to nothing.
		if env["UNKNOWN"] != "" || env["LOOP"] != "" {
			t.Errorf("%v: UNKNOWN %q, LOOP %q; want both empty", tc.params, env["UNKNOWN"], env["LOOP"])
		}
		// A conditional resource and output exist only when their
		// condition holds, as CloudFormation creates them.
		pool := tc.params["Pool"] == "true"
		if _, ok := st.Template.Resources["UserPool"]; ok != pool {
			t.Errorf("%v: resource UserPool present %v, want %v", tc.params, ok, pool)
		}
		if o, ok := st.Template.Outputs["PoolId"]; ok != pool || ok && o.Value != "UserPool" {
			t.Errorf("%v: output PoolId present %v (%+v), want %v", tc.params, ok, o, pool)
		}
	}
}

// A conditional API and its function are served only when their condition
// holds; the rest of the stack is the same either way.
func TestLoadConditionalAPI(t *testing.T) {
	t.Parallel()
	const tmpl = `
Transform: AWS::Serverless-2016-10-31
Parameters:
  Extra: {Type: String, Default: "false"}
Conditions:
  MakeExtra: !Equals [!Ref Extra, "true"]
Resources:
  Auth:
    Type: AWS::Serverless::Function
    Properties: {}
  Main:
    Type: AWS::Serverless::HttpApi
    Properties:
      StageVariables: {keymint: management}
  ExtraApi:
    Type: AWS::Serverless::HttpApi
    Condition: MakeExtra
    Properties:
      Auth:
        DefaultAuthorizer: Az
        Authorizers:
          Az: {FunctionArn: !GetAtt Auth.Arn, AuthorizerPayloadFormatVersion: "2.0"}
  ExtraPermission:
    Type: AWS::Lambda::Permission
    Condition: MakeExtra
    Properties:
      SourceArn: !Sub "arn:aws:execute-api:us-east-1:1:${ExtraApi}/authorizers/*"
  ExtraFunction:
    Type: AWS::Serverless::Function
    Condition: MakeExtra
    Properties:
      Events:
        Get: {Type: HttpApi, Properties: {ApiId: !Ref ExtraApi, Method: GET, Path: /orders}}
  MainFunction:
    Type: AWS::Serverless::Function
    Properties:
      Environment:
        Variables:
          EXTRA_URL: !If [MakeExtra, !Sub "https://${ExtraApi}.example", ""]
      Events:
        Get: {Type: HttpApi, Properties: {ApiId: !Ref Main, Method: GET, Path: /tokens}}
Outputs:
  ExtraUrl:
    Condition: MakeExtra
    Value: !Sub "https://${ExtraApi}.example"
`
	for _, on := range []bool{false, true} {
		st, err := stack.Load(write(t, tmpl), stack.Resolver{Parameters: map[string]string{"Extra": strconv.FormatBool(on)}})
		if err != nil {
			t.Fatalf("Extra=%v: %v", on, err)
		}
		wantAPIs, wantFns := []string{"Main"}, []string{"Auth", "MainFunction"}
		wantURL := ""
		if on {
			wantAPIs, wantFns = []string{"ExtraApi", "Main"}, []string{"Auth", "ExtraFunction", "MainFunction"}
			wantURL = "https://ExtraApi.example"
		}
		if got := slices.Sorted(maps.Keys(st.APIs)); !slices.Equal(got, wantAPIs) {
			t.Errorf("Extra=%v: APIs %v, want %v", on, got, wantAPIs)
		}
		if got := slices.Sorted(maps.Keys(st.Functions)); !slices.Equal(got, wantFns) {
			t.Errorf("Extra=%v: functions %v, want %v", on, got, wantFns)
		}
		_, permission := st.Template.Resources["ExtraPermission"]
		_, output := st.Template.Outputs["ExtraUrl"]
		if permission != on || output != on {
			t.Errorf("Extra=%v: permission %v, output %v", on, permission, output)
		}
		if got := st.Functions["MainFunction"].Env["EXTRA_URL"]; got != wantURL {
			t.Errorf("Extra=%v: EXTRA_URL %q, want %q", on, got, wantURL)
		}
		if on {
			api := st.APIs["ExtraApi"]
			if len(api.Routes) != 1 || api.Routes[0].Function != "ExtraFunction" || api.Routes[0].Authorizer != "Az" || api.StageVariables != nil {
				t.Errorf("ExtraApi %+v", api)
			}
		}
	}
}

// What CloudFormation refuses before it creates anything is refused here.
func TestLoadRejectsConditionMistakes(t *testing.T) {
	t.Parallel()
	const head = `
Parameters:
  Extra: {Type: String, Default: "false"}
Conditions:
  MakeExtra: !Equals [!Ref Extra, "true"]
Resources:
  ExtraApi:
    Type: AWS::Serverless::HttpApi
    Condition: MakeExtra
`
	tests := []struct {
		name   string
		body   string
		params map[string]string
	}{
		{"a Ref to a resource not created", head + `
  Permission:
    Type: AWS::Lambda::Permission
    Properties: {SourceArn: !Ref ExtraApi}
`, nil},
		{"a Sub naming a resource not created", head + `
  Permission:
    Type: AWS::Lambda::Permission
    Properties: {SourceArn: !Sub "arn:${ExtraApi}/authorizers/*"}
`, nil},
		{"a GetAtt of a resource not created", head + `
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Environment: {Variables: {X: !GetAtt ExtraApi.ApiEndpoint}}
`, nil},
		{"DependsOn a resource not created", head + `
  Fn:
    Type: AWS::Serverless::Function
    DependsOn: [ExtraApi]
    Properties: {}
`, nil},
		{"an output of a resource not created", head + `
Outputs:
  Url: {Value: !Ref ExtraApi}
`, nil},
		{"an event on an API not created", head + `
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        Get: {Type: HttpApi, Properties: {ApiId: ExtraApi, Method: GET, Path: /x}}
`, nil},
		{"an unknown condition", head + `
  Other:
    Type: AWS::Serverless::Function
    Condition: Nope
    Properties: {}
`, map[string]string{"Extra": "true"}},
		{"a parameter override the template lacks", head, map[string]string{"Extar": "true"}},
		{"a parameter and a resource of one name", `
Parameters:
  Api: {Type: String, Default: "x"}
Resources:
  Api:
    Type: AWS::Serverless::HttpApi
`, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := stack.Load(write(t, tc.body), stack.Resolver{Parameters: tc.params})
			if !errors.Is(err, stack.ErrTemplate) {
				t.Fatalf("err = %v, want ErrTemplate", err)
			}
		})
	}
}
