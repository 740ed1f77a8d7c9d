package routegen

import (
	"fmt"
	"slices"
	"strings"

	"github.com/keymint/keymint/shared/api"
)

// The markers around a function's route events in template.yaml.
func templateBegin(function string) string {
	return "# BEGIN routes of " + function + ": generated from shared/api/routes.go by make generate"
}

func templateEnd(function string) string { return "# END routes of " + function }

// EventName is a route's event name in template.yaml: its operationId in
// title case (SAM names the function's invoke permission after it).
func EventName(r api.Route) string {
	return strings.ToUpper(r.OperationID[:1]) + r.OperationID[1:]
}

// Template rewrites the route events of every function of routes inside
// its markers. The markers sit in the function's Events map, so events that
// are no routes of the API (none today) stay hand-written beside them.
func Template(src []byte, routes []api.Route) ([]byte, error) {
	lines := strings.Split(string(src), "\n")
	var functions []string
	for _, r := range routes {
		if !slices.Contains(functions, r.Function) {
			functions = append(functions, r.Function)
		}
	}
	for _, l := range lines {
		rest, ok := strings.CutPrefix(strings.TrimSpace(l), "# BEGIN routes of ")
		if fn, _, _ := strings.Cut(rest, ":"); ok && !slices.Contains(functions, fn) {
			return nil, fmt.Errorf("%w: %s", ErrNoRoutes, fn)
		}
	}
	for _, fn := range functions {
		b, err := findBlock(lines, templateBegin(fn), templateEnd(fn))
		if err != nil {
			return nil, err
		}
		var body []string
		for _, r := range routes {
			if r.Function == fn {
				body = append(body, routeEvent(b.indent, r)...)
			}
		}
		lines = b.replace(lines, body)
	}
	return []byte(strings.Join(lines, "\n")), nil
}

// routeEvent is one route's HttpApi event. A public route opts out of the
// API's default authorizer (Auth: {Authorizer: NONE}):
// https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-property-function-httpapifunctionauth.html
func routeEvent(indent string, r api.Route) []string {
	props := fmt.Sprintf("ApiId: !Ref KeymintApi, Method: %s, Path: %q", r.Method, r.Path)
	if r.Access.Public {
		props += ", Auth: { Authorizer: NONE }"
	}
	return []string{
		indent + EventName(r) + ":",
		indent + "  Type: HttpApi",
		indent + "  Properties: { " + props + " }",
	}
}
