// Package routegen derives, from shared/api's route table (api.Table), the
// files that must name every route: template.yaml's route events and the
// route table of docs/api.md, each rewritten only between its marker
// comments, and openapi.json's operations: each route's skeleton
// (operationId, function, security and access) is set in place, a new
// route's operation is started and a removed route's is dropped, through an
// order-preserving JSON model that re-encodes the document byte for byte.
// Prose stays hand-written: the docs table keeps each route's last column,
// openapi.json every key outside the skeleton. infra/cmd/routegen (make
// generate) writes the files; the package's tests fail when a written file
// is stale.
package routegen
