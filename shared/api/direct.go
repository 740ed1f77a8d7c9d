package api

import (
	"net/http"
	"strings"

	"github.com/aws/aws-lambda-go/lambda/messages"
)

// directError is how a direct invoke fails: Lambda hands the invoker
// {"errorMessage", "errorType"}, and aws-lambda-go passes an
// InvokeResponse_Error through as it is instead of naming the Go type
// (which would be an unstable "errorString"). The type is the problem's
// slug in CamelCase — InvalidInput, NotFound, Conflict, OwnerDisabled,
// OwnerNotEnabled, Lockout, IdempotencyKeyReused, Unavailable,
// OutcomeUnknown, Forbidden, Internal — so scripts can match it; the
// message is the problem's detail, safe to show.
// (https://docs.aws.amazon.com/lambda/latest/dg/golang-exceptions.html)
func directError(p *Problem) error {
	return messages.InvokeResponse_Error{Type: ErrorType(p), Message: p.Detail}
}

// invalidDirect is a direct invoke's payload refused.
func invalidDirect(detail string) error {
	return directError(problem(http.StatusBadRequest, "invalid-input", detail))
}

// ErrorType is the direct-invoke errorType of a problem: its slug in
// CamelCase ("owner-not-enabled" → "OwnerNotEnabled").
func ErrorType(p *Problem) string {
	slug := strings.TrimPrefix(p.Type, problemBase)
	var b strings.Builder
	for _, part := range strings.Split(slug, "-") {
		if part != "" {
			b.WriteString(strings.ToUpper(part[:1]) + part[1:])
		}
	}
	return b.String()
}
