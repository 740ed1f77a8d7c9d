package routegen

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"

	"github.com/aws/aws-lambda-go/events"
	"github.com/keymint/keymint/shared/api"
)

// EventsDir holds one sample event per route (make invoke EVENT=...).
const EventsDir = "events"

// EventFile is a route's sample event's path from the repository root:
// <function>-<method>-<path>.json, the path's segments joined by "-"
// without braces (infra/templatecheck's TestSampleEvents holds every route
// of template.yaml to it).
func EventFile(r api.Route) string {
	fn := strings.ToLower(strings.TrimSuffix(r.Function, "Function"))
	path := strings.ReplaceAll(strings.Trim(strings.NewReplacer("{", "", "}", "").Replace(r.Path), "/"), "/", "-")
	return filepath.Join(EventsDir, fn+"-"+strings.ToLower(r.Method)+"-"+path+".json")
}

// sampleParam fills a sample event's path parameter.
func sampleParam(name string) string {
	switch name {
	case "id":
		return "AAAAAAAAAAAAAAAA"
	case "ip":
		return "192.0.2.1"
	case "owner":
		return "alice"
	}
	return name
}

// SampleEvent is the HTTP API payload 2.0 event API Gateway would send for
// r, called by the admin token make admin keeps ({{ADMIN_TOKEN}}, filled in
// by make invoke): the start of a route's sample, which people then edit
// (a body, other parameters). Generate writes it only where a route has no
// sample yet, and never changes one that exists.
// https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
func SampleEvent(r api.Route) ([]byte, error) {
	params := map[string]string{}
	segs := strings.Split(r.Path, "/")
	for i, s := range segs {
		if name, ok := strings.CutPrefix(s, "{"); ok {
			name = strings.TrimSuffix(name, "}")
			params[name], segs[i] = sampleParam(name), sampleParam(name)
		}
	}
	path := strings.Join(segs, "/")
	ev := events.APIGatewayV2HTTPRequest{
		Version: "2.0", RouteKey: r.Key(), RawPath: path,
		Headers: map[string]string{"accept": "application/json", "host": "abcdef123.execute-api.us-east-1.amazonaws.com",
			"user-agent": "curl/8.5.0", "x-forwarded-for": "192.0.2.10", "x-forwarded-proto": "https"},
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			AccountID: "123456789012", APIID: "abcdef123", DomainName: "abcdef123.execute-api.us-east-1.amazonaws.com",
			DomainPrefix: "abcdef123", RequestID: "JKJaXmPLvHcESHA=", RouteKey: r.Key(), Stage: "$default",
			Time: "12/Mar/2020:19:03:58 +0000", TimeEpoch: 1583348638390,
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: r.Method, Path: path,
				Protocol: "HTTP/1.1", SourceIP: "192.0.2.10", UserAgent: "curl/8.5.0"},
		},
	}
	if len(params) > 0 {
		ev.PathParameters = params
	}
	if !r.Access.Public {
		ev.Headers["authorization"] = "Bearer {{ADMIN_TOKEN}}"
		ev.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{Lambda: map[string]any{
			"tokenId": "{{ADMIN_TOKEN_ID}}", "owner": "admin", "scopes": "tokens:admin tokens:read tokens:write",
			"expiresAt": "2030-01-01T00:00:00Z"}}
	}
	b, err := json.MarshalIndent(ev, "", "  ")
	return append(b, '\n'), err
}

// missingEvents are the sample events of the routes that have none yet.
func missingEvents(root string, routes []api.Route) (map[string][]byte, error) {
	out := map[string][]byte{}
	for _, r := range routes {
		path := EventFile(r)
		if _, err := os.Stat(filepath.Join(root, path)); err == nil || !os.IsNotExist(err) {
			continue
		}
		b, err := SampleEvent(r)
		if err != nil {
			return nil, err
		}
		out[path] = b
	}
	return out, nil
}
