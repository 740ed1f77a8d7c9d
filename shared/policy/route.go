package policy

import "strings"

// FillRoute turns an API Gateway route template ("/tokens/{id}",
// "/files/{path+}") and its path parameters into the path the API's routes
// see. That path never carries a stage name or a custom domain's base path,
// which the raw request path does
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-routes.html,
// https://docs.aws.amazon.com/apigateway/latest/developerguide/rest-api-mappings.html),
// so it is what scope patterns are matched against. ok is false when a
// parameter the template names is missing or empty.
func FillRoute(template string, params map[string]string) (path string, ok bool) {
	segs := strings.Split(template, "/")
	for i, s := range segs {
		name, isParam := strings.CutPrefix(s, "{")
		if !isParam {
			continue
		}
		name = strings.TrimSuffix(strings.TrimSuffix(name, "}"), "+")
		v := params[name]
		if v == "" {
			return "", false
		}
		segs[i] = v
	}
	return strings.Join(segs, "/"), true
}

// StripStage removes a named stage's prefix from a raw request path: on an
// execute-api URL, a stage other than $default is the first path segment.
func StripStage(rawPath, stage string) string {
	if stage == "" || stage == "$default" {
		return rawPath
	}
	if rest, ok := strings.CutPrefix(rawPath, "/"+stage); ok && (rest == "" || rest[0] == '/') {
		if rest == "" {
			return "/"
		}
		return rest
	}
	return rawPath
}
