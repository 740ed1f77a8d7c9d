// Package validate is the ValidateFunction: it recognises every event shape
// API Gateway and callers send (REST TOKEN/REQUEST, HTTP API v2, direct
// invoke), decides with a typed status, and answers in that shape's form.
package validate
