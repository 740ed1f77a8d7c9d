// Package api holds the HTTP management API handlers (the contract is
// openapi.json, served at GET /openapi.json): they
// take API Gateway HTTP API payload 2.0 events, check the caller's scopes from
// the authorizer context, and answer JSON or RFC 9457 problem details.
package api
