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
	return FillRouteFunc(template, func(name string) string { return params[name] })
}

// FillRouteFunc is FillRoute with the parameters behind a lookup. A
// template without parameters is returned as it is, without copying.
func FillRouteFunc(template string, param func(name string) string) (path string, ok bool) {
	if strings.IndexByte(template, '{') < 0 {
		return template, true
	}
	var b strings.Builder
	b.Grow(len(template) + 16)
	for i, s := range strings.Split(template, "/") {
		if i > 0 {
			b.WriteByte('/')
		}
		name, isParam := strings.CutPrefix(s, "{")
		if !isParam {
			b.WriteString(s)
			continue
		}
		name = strings.TrimSuffix(strings.TrimSuffix(name, "}"), "+")
		v := param(name)
		if v == "" {
			return "", false
		}
		b.WriteString(v)
	}
	return b.String(), true
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
