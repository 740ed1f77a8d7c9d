package policy

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// ErrBadARN wraps every reason ParseMethodARN refuses an ARN.
var ErrBadARN = errors.New("bad execute-api ARN")

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

// AllowPolicy allows every route in routes on the stage of arn, not just the
// method being called: API Gateway caches a REST authorizer's policy per
// token and reuses it for other routes, so a narrower policy would answer
// 403 to routes the token may call.
//
// Each "*" or "**" segment becomes an IAM "*", and IAM's "*" also matches
// "/", so "GET /tokens/*" lets "GET /tokens/x/usage" through API Gateway as
// well. That is wider than the catalogue and accepted: validate checks the
// exact route with Allows whenever the event shows it (REQUEST and HTTP API
// events, direct invokes); only a cached TOKEN-authorizer policy relies on
// the IAM match alone.
//
// With no routes there is nothing to allow, and an Allow statement without
// resources is malformed, so the result is DenyPolicy(arn).
func AllowPolicy(arn MethodARN, routes []Route) events.APIGatewayCustomAuthorizerPolicy {
	base := arn.stageARN()
	resources := make([]string, 0, len(routes))
	for _, r := range routes {
		resources = append(resources, base+iamMethod(r.Method)+"/"+iamPath(r.Path))
	}
	slices.Sort(resources)
	resources = slices.Compact(resources)
	if len(resources) == 0 {
		return DenyPolicy(arn)
	}
	return statement("Allow", resources)
}

// DenyPolicy denies every method and resource on the stage of arn. It is
// stage-wide rather than for the one method so that, when cached, it cannot
// be read as saying anything about other routes for this identity.
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

func iamMethod(m string) string {
	if m == "*" || m == "ANY" {
		return "*"
	}
	return m
}

func iamPath(p string) string {
	p = strings.TrimPrefix(p, "/")
	if p == "" {
		return ""
	}
	segs := strings.Split(p, "/")
	for i, s := range segs {
		if s == "**" {
			segs[i] = "*"
		}
	}
	return strings.Join(segs, "/")
}
