// Package validate is the ValidateFunction: it recognises every event shape
// API Gateway and callers send (REST TOKEN/REQUEST, HTTP API v2, direct
// invoke), decides with a typed status, and answers in that shape's form.
//
// It sits on every request of the APIs it guards, so its hot path is built
// to cost little more than reading the event: Handler implements
// aws-lambda-go's byte-level lambda.Handler; a scanner (scan.go, event.go)
// takes only the fields it needs, as slices of the payload, and leaves any
// event it cannot be sure to read as encoding/json would to encoding/json
// (input.go); a cache hit (cache.go) is neither parsed again nor read from
// the table, and answers with bytes encoded once per cached decision
// (answer.go). Use is counted in memory and written when due (usage.go).
package validate
