// Package routegen derives, from shared/api's route table (api.Table), the
// files that must name every route: template.yaml's route events and the
// route table of docs/api.md, each rewritten only between its marker
// comments, and checks openapi.json's operations (method, path, operationId,
// function, security and access) against it. Prose around and inside the
// markers' rows stays hand-written: the docs table keeps each route's last
// column as people wrote it. infra/cmd/routegen (make generate) writes the
// files; the package's tests fail when a written file is stale.
package routegen
