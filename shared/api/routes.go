package api

import (
	"context"

	"github.com/aws/aws-lambda-go/events"
	"github.com/keymint/keymint/shared/manage"
)

// The functions that serve the management API, by their logical id in
// template.yaml.
const (
	IssueFunction    = "IssueFunction"
	RevokeFunction   = "RevokeFunction"
	DescribeFunction = "DescribeFunction"
)

// Access says who may call a route. It restates, for the routes this
// package serves, what shared/policy/scopes.json grants: the catalogue is
// what the authorizer and the handlers enforce (it is customer-facing and
// also holds the example API's routes, as wildcards). internal/routegen holds
// openapi.json's security to Access, and TestOpenAPIScopesMatchCatalogue
// holds scopes.json to openapi.json.
type Access struct {
	// Scope is the one scope that opens the route ("" for AnyToken and
	// Public routes).
	Scope string
	// Self: a token may also call the route on its own id ({id}).
	Self bool
	// AnyToken: every valid caller may call it, whatever its scopes.
	AnyToken bool
	// Public: served without the authorizer (Auth: {Authorizer: NONE});
	// it has no caller and must never read or change a token.
	Public bool
}

// Route is one route of the management API. Table is the one place a route
// is declared: the routers dispatch from it, and `make generate`
// (internal/routegen) writes template.yaml's route events, the route table of
// docs/api.md, openapi.json's operation skeletons and missing sample events
// from it.
type Route struct {
	Method string
	// Path is API Gateway's route path, parameters in braces.
	Path string
	// Function is the logical id of the function that serves it.
	Function string
	// OperationID names the route's operation in openapi.json; its title
	// case is the route's event name in template.yaml.
	OperationID string
	Access      Access
	// serve binds the handler to its function's router; public routes
	// use open instead.
	serve func(*router) endpoint
	open  publicEndpoint
}

// Key is API Gateway's routeKey, "METHOD /path".
func (r Route) Key() string { return r.Method + " " + r.Path }

// Table is every route of the management API. Adding a route is one entry
// here (and its handler), then `make generate`.
func Table() []Route {
	read := Access{Scope: "tokens:read"}
	write := Access{Scope: "tokens:write"}
	admin := Access{Scope: "tokens:admin"}
	anyToken := Access{AnyToken: true}
	return []Route{
		{"POST", "/tokens", IssueFunction, "issueToken", write, on((*Issue).issue), nil},
		{"GET", "/tokens", DescribeFunction, "listTokens", read, on((*Describe).list), nil},
		{"GET", "/tokens/{id}", DescribeFunction, "getToken", Access{Scope: "tokens:read", Self: true}, on((*Describe).get), nil},
		{"PATCH", "/tokens/{id}", IssueFunction, "editToken", write, on((*Issue).edit), nil},
		{"POST", "/tokens/{id}/regenerate", IssueFunction, "regenerateToken", write, on((*Issue).regenerate), nil},
		{"POST", "/tokens/{id}/copy", IssueFunction, "copyToken", write, on((*Issue).copy), nil},
		{"POST", "/tokens/{id}/deactivate", RevokeFunction, "deactivateToken", write, on((*Revoke).deactivate), nil},
		{"POST", "/tokens/{id}/activate", RevokeFunction, "activateToken", write, on((*Revoke).activate), nil},
		{"DELETE", "/tokens/{id}", RevokeFunction, "revokeToken", Access{Scope: "tokens:write", Self: true}, on((*Revoke).revoke), nil},
		{"POST", "/tokens/revoke", RevokeFunction, "revokeTokens", write, on((*Revoke).revokeMany), nil},
		{"POST", "/tokens/deactivate", RevokeFunction, "deactivateTokens", write, on((*Revoke).deactivateMany), nil},
		{"POST", "/tokens/activate", RevokeFunction, "activateTokens", write, on((*Revoke).activateMany), nil},
		{"PUT", "/tokens/{id}/blocked-ips/{ip}", RevokeFunction, "blockIp", write, on((*Revoke).block), nil},
		{"DELETE", "/tokens/{id}/blocked-ips/{ip}", RevokeFunction, "unblockIp", write, on((*Revoke).unblock), nil},
		{"GET", "/tokens/{id}/usage", DescribeFunction, "getTokenUsage", read, on((*Describe).usage), nil},
		{"GET", "/tokens/{id}/audit", DescribeFunction, "getTokenAudit", read, on((*Describe).audit), nil},
		{"PUT", "/owners/{owner}/status", RevokeFunction, "setOwnerStatus", admin, on((*Revoke).ownerStatus), nil},
		{"GET", "/owners", DescribeFunction, "listOwners", admin, on((*Describe).owners), nil},
		{"GET", "/owners/{owner}", DescribeFunction, "getOwner", admin, on((*Describe).owner), nil},
		{"PATCH", "/owners/{owner}", RevokeFunction, "setOwnerPolicy", admin, on((*Revoke).ownerPolicy), nil},
		{"GET", "/owners/{owner}/audit", DescribeFunction, "getOwnerAudit", admin, on((*Describe).ownerAudit), nil},
		{"GET", "/whoami", DescribeFunction, "whoami", anyToken, on((*Describe).whoami), nil},
		{"GET", "/scopes", DescribeFunction, "listScopes", anyToken, on((*Describe).scopes), nil},
		{"GET", "/plans", DescribeFunction, "listPlans", anyToken, on((*Describe).plans), nil},
		{"GET", "/openapi.json", DescribeFunction, "getOpenAPI", Access{Public: true}, nil, serveOpenAPI},
	}
}

// handlers are the three functions' handler types; each is only its router.
type handlers interface{ *Issue | *Revoke | *Describe }

// on binds a handler method (a method expression such as (*Issue).copy) to
// the router of the function the route names, so the table can hold the
// handlers of all three functions.
func on[H handlers](m func(H, context.Context, manage.Caller, *events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error)) func(*router) endpoint {
	return func(r *router) endpoint {
		h := H(&struct{ r *router }{r})
		return func(ctx context.Context, c manage.Caller, req *events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
			return m(h, ctx, c, req)
		}
	}
}

// mount gives r the routes of function from the table.
func (r *router) mount(function string) {
	r.routes = map[string]endpoint{}
	r.public = map[string]publicEndpoint{}
	for _, rt := range Table() {
		switch {
		case rt.Function != function:
		case rt.Access.Public:
			r.public[rt.Key()] = rt.open
		default:
			r.routes[rt.Key()] = rt.serve(r)
		}
	}
}
