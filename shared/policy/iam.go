package policy

import (
	"fmt"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

const (
	policyVersion = "2012-10-17"
	invokeAction  = "execute-api:Invoke"
)

// MethodARN is the methodArn of a REST API authorizer event, or the routeArn
// of an HTTP API one: arn:<Partition>:execute-api:<Region>:<AccountID>:
// <APIID>/<Stage>/<Method>/<Resource>. Resource has no leading slash and is
// "" for the root resource.
type MethodARN struct {
	Partition, Region, AccountID, APIID, Stage, Method, Resource string
}

// ParseMethodARN splits an execute-api ARN. The stage may be "*" (console
// test invocations send one) or "$default"; a routeArn with no resource part
// ("…/$default/$default" for an HTTP API default route) gets Resource "".
func ParseMethodARN(arn string) (MethodARN, error) {
	// Cut, not SplitN: validate parses an ARN per request, and the fields
	// are slices of arn, so a good ARN costs no allocation.
	parts, n := cutN(arn, ':', 6)
	if n != 6 || parts[0] != "arn" || parts[2] != "execute-api" {
		return MethodARN{}, fmt.Errorf("%w: %q is not arn:<partition>:execute-api:…", ErrBadARN, arn)
	}
	path, n := cutN(parts[5], '/', 4)
	if n < 3 {
		return MethodARN{}, fmt.Errorf("%w: %q lacks <api>/<stage>/<method>", ErrBadARN, arn)
	}
	a := MethodARN{
		Partition: parts[1],
		Region:    parts[3],
		AccountID: parts[4],
		APIID:     path[0],
		Stage:     path[1],
		Method:    path[2],
	}
	a.Resource = path[3]
	for _, f := range []struct{ name, v string }{
		{"partition", a.Partition}, {"region", a.Region}, {"account", a.AccountID},
		{"api id", a.APIID}, {"stage", a.Stage}, {"method", a.Method},
	} {
		if f.v == "" || badARNField(f.v) {
			return MethodARN{}, fmt.Errorf("%w: %q has a bad %s", ErrBadARN, arn, f.name)
		}
	}
	return a, nil
}

// badARNField reports a slash or white space in an ARN field (a byte loop:
// strings.ContainsAny builds a set per call).
func badARNField(v string) bool {
	for i := range len(v) {
		switch v[i] {
		case '/', ' ', '\t', '\r', '\n':
			return true
		}
	}
	return false
}

// cutN is strings.SplitN(s, sep, max) into an array: the parts and how
// many there are.
func cutN(s string, sep byte, max int) (parts [6]string, n int) {
	for n < max-1 {
		i := strings.IndexByte(s, sep)
		if i < 0 {
			break
		}
		parts[n], s = s[:i], s[i+1:]
		n++
	}
	parts[n] = s
	return parts, n + 1
}

// String rebuilds the ARN; an empty Resource always ends it with "/", the
// form REST methodArns use for the root resource.
func (a MethodARN) String() string {
	return a.stageARN() + a.Method + "/" + a.Resource
}

// stageARN ends with a slash, ready for "<METHOD>/<resource>".
func (a MethodARN) stageARN() string {
	return "arn:" + a.Partition + ":execute-api:" + a.Region + ":" + a.AccountID + ":" + a.APIID + "/" + a.Stage + "/"
}

// InvokePolicy allows execute-api:Invoke on arnText, the methodArn or
// routeArn API Gateway sent, and nothing else; ok is false when that cannot
// be said exactly.
//
// Why only the one ARN. API Gateway evaluates the policy as IAM does: an
// explicit Deny wins, an Allow is needed, anything else is an implicit deny
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html),
// and in a resource "*" is any run of characters and "?" any one, "/"
// included
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html,
// https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-control-access-using-iam-policies-to-invoke-api.html).
// So a catalogue's one-segment "*" written as an IAM "*" also allows every
// deeper path, and no list of the token's routes is exactly its scopes.
// And API Gateway caches the answer under the authorizer's identity sources
// and evaluates it again for every later request with the same identity
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-lambda-authorizer-output.html,
// https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-use-lambda-authorizer.html,
// https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-lambda-authorizer.html):
// only a policy naming the one ARN it was asked about allows, whatever is
// cached, nothing but requests with that same ARN, which the catalogue
// decides alike when the cache key holds the method and path
// (docs/deploy.md says which). A TOKEN authorizer's cache is keyed on the
// token alone: a cached answer then denies the token's other routes until
// it expires (the safe side), which is why docs/deploy.md asks for caching
// off there.
//
// ok is false when the ARN's method or resource holds "*" or "?" (a path
// may: they are IAM wildcards, and IAM has no escape for them in a
// resource) or "${" (the start of an IAM policy variable): the ARN would
// then match other requests too, and the caller must deny instead.
func InvokePolicy(arnText string, arn MethodARN) (doc events.APIGatewayCustomAuthorizerPolicy, ok bool) {
	if !ExactARN(arn) {
		return events.APIGatewayCustomAuthorizerPolicy{}, false
	}
	return statement("Allow", []string{arnText}), true
}

// ExactARN reports that arn, written as an IAM resource, matches itself
// and nothing else: its method and resource hold no IAM wildcard and no
// policy variable. (Its stage may be "*", as in a console test
// invocation: the catalogue's decision does not depend on the stage.)
func ExactARN(arn MethodARN) bool {
	for _, v := range [...]string{arn.Method, arn.Resource} {
		if strings.ContainsAny(v, "*?") || strings.Contains(v, "${") {
			return false
		}
	}
	return true
}

// DenyPolicy denies every method and resource on the stage of arn. An
// explicit Deny wins over any Allow, so a cached one refuses every request
// served from that cache entry: with the per-route cache keys docs/deploy.md
// asks for, that is the one route it was asked about; under a TOKEN
// authorizer's token-only key, all of the token's routes until it expires.
// Either way it allows nothing, which is the side to err on.
func DenyPolicy(arn MethodARN) events.APIGatewayCustomAuthorizerPolicy {
	return statement("Deny", []string{arn.stageARN() + "*/*"})
}

func statement(effect string, resources []string) events.APIGatewayCustomAuthorizerPolicy {
	return events.APIGatewayCustomAuthorizerPolicy{
		Version: policyVersion,
		Statement: []events.IAMPolicyStatement{{
			Action:   []string{invokeAction},
			Effect:   effect,
			Resource: resources,
		}},
	}
}
