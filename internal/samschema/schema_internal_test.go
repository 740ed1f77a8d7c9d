package samschema

import "testing"

func TestNotServerlessPattern(t *testing.T) {
	for s, want := range map[string]bool{
		"AWS::DynamoDB::Table":      true,
		"Custom::Thing":             true,
		"AWS::Serverless::Function": false,
		"AWS::Serverless::":         false,
		"":                          false,
		"AWS::SNS::Topic\nX":        false,
		"AWS::Serverless":           true,
	} {
		if got := (notServerless{}).MatchString(s); got != want {
			t.Errorf("%q: %v, want %v", s, got, want)
		}
	}
}
