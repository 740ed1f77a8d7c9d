// Package api holds the HTTP management API handlers (the contract is
// openapi.json, served at GET /openapi.json): they
// take API Gateway HTTP API payload 2.0 events, check the caller's scopes from
// the authorizer context, and answer JSON or RFC 9457 problem details.
//
// Every route is declared once, in Table (routes.go): each function's
// router mounts its entries, and make generate (internal/routegen) derives
// template.yaml's route events, docs/api.md's route table and the sample
// events from it and checks openapi.json against it.
package api
