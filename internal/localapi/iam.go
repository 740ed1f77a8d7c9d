package localapi

import (
	"encoding/json"
	"regexp"
	"strings"
)

// iamResponse is an authorizer's IAM policy answer. Action and Resource may
// be a string or a list, so they are decoded loosely.
type iamResponse struct {
	PrincipalID    string `json:"principalId"`
	PolicyDocument struct {
		Statement []struct {
			Effect   string          `json:"Effect"`
			Action   json.RawMessage `json:"Action"`
			Resource json.RawMessage `json:"Resource"`
		} `json:"Statement"`
	} `json:"policyDocument"`
	Context map[string]any `json:"context"`
}

// allows evaluates the policy as API Gateway does for execute-api:Invoke on
// routeArn, which is IAM's evaluation: a matching explicit Deny wins, else
// a matching Allow is needed, else the request is implicitly denied
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html,
// https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-lambda-authorizer.html).
// Effect is "Allow" or "Deny" exactly; anything else grants nothing. It
// shares nothing with shared/policy, so the local stack checks
// ValidateFunction's policies rather than agreeing with them by
// construction.
func (r iamResponse) allows(routeArn string) bool {
	allowed, _ := r.decide(routeArn)
	return allowed
}

// decide is allows with the reason of a refusal: explicitDeny when a
// matching Deny refused it, false when no Allow matched (an implicit
// deny). A REST API answers the two differently.
func (r iamResponse) decide(arn string) (allowed, explicitDeny bool) {
	for _, st := range r.PolicyDocument.Statement {
		if !anyMatch(list(st.Action), "execute-api:Invoke", true) || !anyMatch(list(st.Resource), arn, false) {
			continue
		}
		switch st.Effect {
		case "Deny":
			return false, true
		case "Allow":
			allowed = true
		}
	}
	return allowed, false
}

// PolicyAllows is API Gateway's decision on an authorizer's IAM policy
// answer for the request whose execute-api ARN is arn (allows). The local
// API decides with it, and so does validate's property test of the one
// rule under caching: one evaluation of AWS's documented rules, apart from
// the production code it checks. An answer that is not a policy is an
// error.
func PolicyAllows(answer []byte, arn string) (bool, error) {
	var resp iamResponse
	if err := json.Unmarshal(answer, &resp); err != nil {
		return false, err
	}
	return resp.allows(arn), nil
}

func list(raw json.RawMessage) []string {
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return []string{one}
	}
	var many []string
	_ = json.Unmarshal(raw, &many)
	return many
}

func anyMatch(patterns []string, s string, foldCase bool) bool {
	for _, p := range patterns {
		if wildcard(p, foldCase).MatchString(s) {
			return true
		}
	}
	return false
}

// wildcard compiles an IAM pattern: "*" is any run of characters, "/"
// (and a line break) included, "?" is exactly one character; action names
// compare case-insensitively, resources exactly
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html,
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html).
func wildcard(p string, foldCase bool) *regexp.Regexp {
	var b strings.Builder
	b.WriteString("(?s)")
	if foldCase {
		b.WriteString("(?i)")
	}
	b.WriteString("^")
	for _, r := range p {
		switch r {
		case '*':
			b.WriteString(".*")
		case '?':
			b.WriteString(".")
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String())
}
