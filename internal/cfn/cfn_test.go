package cfn

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func TestToJSONExpandsShortTags(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want string
	}{
		{"ref", "a: !Ref Table", `{"a":{"Ref":"Table"}}`},
		{"getatt dotted", "a: !GetAtt Fn.Arn", `{"a":{"Fn::GetAtt":["Fn","Arn"]}}`},
		{"getatt list", "a: !GetAtt [Fn, Arn]", `{"a":{"Fn::GetAtt":["Fn","Arn"]}}`},
		{"sub", "a: !Sub '${T.Arn}/index/GSI1'", `{"a":{"Fn::Sub":"${T.Arn}/index/GSI1"}}`},
		{"join nested", "a: !Join ['', [x, !Ref Y]]", `{"a":{"Fn::Join":["",["x",{"Ref":"Y"}]]}}`},
		{"if", "a: !If [C, 1, 2]", `{"a":{"Fn::If":["C",1,2]}}`},
		{"scalars", "a: 1\nb: true\nc: 'true'\nd: ~\ne: 1.5", `{"a":1,"b":true,"c":"true","d":null,"e":1.5}`},
		{"alias", "x: &v [1]\ny: *v", `{"x":[1],"y":[1]}`},
		{"long form untouched", "a: {Ref: T}", `{"a":{"Ref":"T"}}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ToJSON([]byte(tc.yaml))
			if err != nil {
				t.Fatal(err)
			}
			var g, w any
			if err := json.Unmarshal(got, &g); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal([]byte(tc.want), &w); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(g, w) {
				t.Fatalf("got %s, want %s", got, tc.want)
			}
		})
	}
}

func TestToJSONRejectsBadYAML(t *testing.T) {
	for _, in := range []string{"a: [1, 2", "a: b: c", "<<: {a: 1}"} {
		if _, err := ToJSON([]byte(in)); err == nil {
			t.Errorf("ToJSON(%q) succeeded, want an error", in)
		}
	}
}

// SAM properties goformation does not know are dropped, nested ones too,
// and the rest of the resource is still read.
func TestParseJSONDropsPropertiesNewerThanGoformation(t *testing.T) {
	tests := []struct{ name, resource string }{
		{"function log config", `{"Type":"AWS::Serverless::Function","Properties":{"LoggingConfig":{"LogFormat":"JSON"},"Description":"kept"}}`},
		{"HTTP API access log", `{"Type":"AWS::Serverless::HttpApi","Properties":{"AccessLogSettings":{"Format":"x"},"Description":"kept"}}`},
		{"REST API key settings", `{"Type":"AWS::Serverless::Api","Properties":{"StageName":"v1","ApiKeySourceType":"AUTHORIZER","Description":"kept","Auth":{"ApiKeyRequired":true,"DefaultAuthorizer":"Az"}}}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tmpl, err := ParseJSON([]byte(`{"Resources":{"R":`+tc.resource+`}}`), nil)
			if err != nil {
				t.Fatal(err)
			}
			switch r := tmpl.Resources["R"].(type) {
			case interface{ AWSCloudFormationType() string }:
				b, _ := json.Marshal(r)
				if !json.Valid(b) || !strings.Contains(string(b), `"Description":"kept"`) {
					t.Errorf("%s read as %s", r.AWSCloudFormationType(), b)
				}
				if tc.name == "REST API key settings" && !strings.Contains(string(b), `"DefaultAuthorizer":"Az"`) {
					t.Errorf("Auth lost its other properties: %s", b)
				}
			default:
				t.Fatalf("resource read as %T", r)
			}
		})
	}
}
