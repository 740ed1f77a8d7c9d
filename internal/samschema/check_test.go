package samschema_test

import (
	"strings"
	"testing"

	"github.com/keymint/keymint/internal/samschema"
)

// TestSAMSchemaCheck proves the check can fail, and where it must not, on
// small templates.
func TestSAMSchemaCheck(t *testing.T) {
	const head = "Transform: AWS::Serverless-2016-10-31\nResources:\n"
	const fn = head + `  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: .
      Handler: bootstrap
`
	const api = head + `  Api:
    Type: AWS::Serverless::HttpApi
    Properties:
      Auth:
        Authorizers:
          Az:
            FunctionArn: !GetAtt Fn.Arn
            AuthorizerPayloadFormatVersion: "2.0"
`
	type want struct{ pointer, message string } // message: a substring
	tests := []struct {
		name        string
		yaml        string
		refused     []want // exactly these findings
		passThrough int    // intrinsics accepted as pass-throughs
	}{
		{name: "minimal function", yaml: fn + "      Runtime: provided.al2023\n"},
		{
			// Runtime is a __samPassThrough property, {} in SAM's schema: SAM
			// hands it to AWS::Lambda::Function as it is and CloudFormation's
			// own schema, which this check does not have, would refuse 42.
			name: "Runtime 42 passes SAM's schema (CloudFormation checks it)",
			yaml: fn + "      Runtime: 42\n",
		},
		{
			name:    "SAM-only boolean given a string",
			yaml:    fn + "      PropagateTags: \"yes\"\n",
			refused: []want{{"/Resources/Fn/Properties/PropagateTags", "got string, want boolean"}},
		},
		{
			name:    "HttpApi Description is SAM-only and a string",
			yaml:    api + "      Description: 42\n",
			refused: []want{{"/Resources/Api/Properties/Description", "got number, want string"}},
		},
		{
			name:    "unknown property on a Function",
			yaml:    fn + "      Foo: bar\n",
			refused: []want{{"/Resources/Fn/Properties", "additional properties 'Foo' not allowed"}},
		},
		{
			name:    "an intrinsic under an unknown property is reported once, as the unknown property",
			yaml:    fn + "      Foo: !Ref X\n",
			refused: []want{{"/Resources/Fn/Properties", "additional properties 'Foo' not allowed"}},
		},
		{
			name:    "unknown resource attribute",
			yaml:    fn + "    Bogus: 1\n",
			refused: []want{{"/Resources/Fn", "additional properties 'Bogus' not allowed"}},
		},
		{
			name:    "unknown AWS::Serverless type",
			yaml:    head + "  X:\n    Type: AWS::Serverless::Functon\n",
			refused: []want{{"/Resources/X", `no alternative of the schema has Type "AWS::Serverless::Functon"`}},
		},
		{
			name:    "resource without Type",
			yaml:    head + "  X:\n    Properties: {}\n",
			refused: []want{{"/Resources/X", "has no string Type"}},
		},
		{name: "no Resources", yaml: "Transform: AWS::Serverless-2016-10-31\n", refused: []want{{"/", "missing property 'Resources'"}}},
		{
			name:    "unknown event type",
			yaml:    fn + "      Events:\n        Get:\n          Type: HttpAPI\n          Properties: {Method: GET, Path: /x}\n",
			refused: []want{{"/Resources/Fn/Properties/Events/Get", `no alternative of the schema has Type "HttpAPI"`}},
		},
		{
			// "If you use intrinsic functions in CodeUri property, AWS SAM
			// will not be able to correctly parse the values" (the page on
			// intrinsic functions quoted at the top).
			name:    "CodeUri !Ref",
			yaml:    head + "  Fn:\n    Type: AWS::Serverless::Function\n    Properties: {CodeUri: !Ref Code, Handler: bootstrap}\n",
			refused: []want{{"/Resources/Fn/Properties/CodeUri", "SAM wants a string or a map of its own properties here"}},
		},
		{
			name: "other CloudFormation resources are SAM's business only by Type",
			yaml: head + "  T:\n    Type: AWS::SNS::Topic\n    Properties: {Whatever: !Ref X, Count: !If [C, 1, 2]}\n",
		},
		{
			name: "HttpApi event with an unknown property",
			yaml: fn + `      Events:
        Get:
          Type: HttpApi
          Properties: {ApiId: !Ref Api, Method: GET, Path: /x, Verb: GET}
`,
			refused: []want{{"/Resources/Fn/Properties/Events/Get/Properties", "additional properties 'Verb' not allowed"}},
		},
		{
			name: "ReauthorizeEvery !Ref on an HttpApi authorizer",
			yaml: api + "            Identity: {Headers: [Authorization], ReauthorizeEvery: !Ref P}\n",
			refused: []want{{
				"/Resources/Api/Properties/Auth/Authorizers/Az/Identity/ReauthorizeEvery",
				"Resources.Api.Properties.Auth.Authorizers.Az.Identity.ReauthorizeEvery: SAM wants an integer here and copies an intrinsic into the OpenAPI body unresolved",
			}},
		},
		{
			name:    "ReauthorizeEvery literal",
			yaml:    api + "            Identity: {Headers: [Authorization], ReauthorizeEvery: 0}\n",
			refused: nil,
		},
		{
			// CloudFormation resolves it in the body SAM generates: what
			// arrives is one of the literals, and each is a boolean.
			name:    "EnableSimpleResponses !If over booleans",
			yaml:    api + "            EnableSimpleResponses: !If [C, true, false]\n",
			refused: nil,
		},
		{
			name:    "ReauthorizeEvery !If over integers, nested",
			yaml:    api + "            Identity: {Headers: [Authorization], ReauthorizeEvery: !If [C, 300, !If [D, 60, 0]]}\n",
			refused: nil,
		},
		{
			name:    "ReauthorizeEvery !If with a string branch",
			yaml:    api + "            Identity: {Headers: [Authorization], ReauthorizeEvery: !If [C, 300, \"x\"]}\n",
			refused: []want{{"/Resources/Api/Properties/Auth/Authorizers/Az/Identity/ReauthorizeEvery", "got string, want integer"}},
		},
		{
			name: "ReauthorizeEvery !If with a Ref branch",
			yaml: api + "            Identity: {Headers: [Authorization], ReauthorizeEvery: !If [C, !Ref P, 0]}\n",
			refused: []want{{
				"/Resources/Api/Properties/Auth/Authorizers/Az/Identity/ReauthorizeEvery",
				"Resources.Api.Properties.Auth.Authorizers.Az.Identity.ReauthorizeEvery: SAM wants an integer here and copies an intrinsic into the OpenAPI body unresolved",
			}},
		},
		{
			name:    "a whole SAM-only map as an intrinsic",
			yaml:    api + "            Identity: !Ref P\n",
			refused: []want{{"/Resources/Api/Properties/Auth/Authorizers/Az/Identity", "SAM wants a map of its own properties here"}},
		},
		{
			name:    "Schedule Enabled !Ref",
			yaml:    fn + "      Events:\n        S:\n          Type: Schedule\n          Properties: {Schedule: rate(1 hour), Enabled: !Ref E}\n",
			refused: []want{{"/Resources/Fn/Properties/Events/S/Properties/Enabled", "SAM wants a boolean here"}},
		},
		{
			name:        "Timeout !Ref on a Function is a pass-through",
			yaml:        fn + "      Timeout: !Ref T\n",
			passThrough: 1,
		},
		{
			name:        "Globals Function Timeout and Environment intrinsics are pass-throughs",
			yaml:        "Globals:\n  Function:\n    Timeout: !Ref T\n    Environment: {Variables: {A: !Ref A, B: !Sub '${A}-b'}}\n" + fn,
			passThrough: 3,
		},
		{
			// Typed integer in the schema, but documented "passed directly to
			// the MaximumRetryAttempts property of an
			// AWS::Lambda::EventInvokeConfig resource".
			name:        "EventInvokeConfig MaximumRetryAttempts !Ref is a documented pass-through",
			yaml:        fn + "      EventInvokeConfig: {MaximumRetryAttempts: !Ref R}\n",
			passThrough: 1,
		},
	}
	s, err := samschema.Load()
	if err != nil {
		t.Fatalf("SAM schema: %v", err)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rep, err := s.CheckTemplate([]byte(tc.yaml))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range rep.Findings {
				got = append(got, f.String())
			}
			matched := make([]bool, len(rep.Findings))
			for _, w := range tc.refused {
				ok := false
				for i, f := range rep.Findings {
					if !matched[i] && f.Pointer == w.pointer && strings.Contains(f.String(), w.message) {
						matched[i], ok = true, true
						break
					}
				}
				if !ok {
					t.Errorf("want refused at %s with %q; got:\n%s", w.pointer, w.message, strings.Join(got, "\n"))
				}
			}
			if len(rep.Findings) != len(tc.refused) {
				t.Errorf("%d finding(s), want %d:\n%s", len(rep.Findings), len(tc.refused), strings.Join(got, "\n"))
			}
			if len(rep.PassThrough) != tc.passThrough {
				t.Errorf("%d pass-through intrinsic(s), want %d:\n%s", len(rep.PassThrough), tc.passThrough, rep.Summary())
			}
		})
	}
}
