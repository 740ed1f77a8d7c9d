package api

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// MaxBody is the largest request body accepted.
const MaxBody = 64 << 10

// decodeBody reads a JSON object strictly: unknown fields and trailing data
// are refused, so a typo cannot silently do less than asked.
func decodeBody(req *events.APIGatewayV2HTTPRequest, dst any, optional bool) *Problem {
	body := []byte(req.Body)
	if req.IsBase64Encoded {
		var err error
		if body, err = base64.StdEncoding.DecodeString(req.Body); err != nil {
			return problem(http.StatusBadRequest, "malformed-body", "the body is not valid base64")
		}
	}
	if len(body) > MaxBody {
		return problem(http.StatusBadRequest, "body-too-large", fmt.Sprintf("the body must be at most %d bytes", MaxBody))
	}
	if len(bytes.TrimSpace(body)) == 0 {
		if optional {
			return nil
		}
		return problem(http.StatusBadRequest, "malformed-body", "a JSON body is required")
	}
	if err := decodeStrict(body, dst); err != nil {
		return bodyProblem(err)
	}
	return nil
}

func bodyProblem(err error) *Problem {
	var typeErr *json.UnmarshalTypeError
	var timeErr *timeFieldError
	var nameErr *fieldNameError
	switch {
	case errors.As(err, &nameErr):
		p := problem(http.StatusBadRequest, "invalid-input", nameErr.Error()+" (field names are case-sensitive)")
		p.Errors = []FieldProblem{{Field: nameErr.name, Detail: "unknown field"}}
		return p
	case errors.Is(err, errDuplicateKey):
		return problem(http.StatusBadRequest, "malformed-body", "the body repeats a key: "+strings.TrimPrefix(err.Error(), errDuplicateKey.Error()+" "))
	case errors.Is(err, errTrailing):
		return problem(http.StatusBadRequest, "malformed-body", "the body must hold one JSON object")
	case errors.As(err, &timeErr):
		p := problem(http.StatusBadRequest, "invalid-input", timeErr.field+": must be an RFC 3339 time")
		p.Errors = []FieldProblem{{Field: timeErr.field, Detail: "must be an RFC 3339 time, e.g. 2027-01-31T00:00:00Z"}}
		return p
	case errors.As(err, &typeErr):
		p := problem(http.StatusBadRequest, "invalid-input", typeErr.Field+": wrong type")
		p.Errors = []FieldProblem{{Field: typeErr.Field, Detail: "must be a " + typeErr.Type.String()}}
		return p
	}
	return problem(http.StatusBadRequest, "malformed-body", "the body is not a valid JSON object for this route")
}

// timeFieldError marks an RFC 3339 field that did not parse.
type timeFieldError struct{ field string }

func (e *timeFieldError) Error() string { return e.field + ": not an RFC 3339 time" }

func queryInt(req *events.APIGatewayV2HTTPRequest, name string) (int32, *Problem) {
	v := req.QueryStringParameters[name]
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 32)
	if err != nil || n < 1 {
		p := problem(http.StatusBadRequest, "invalid-input", name+": must be a positive whole number")
		p.Errors = []FieldProblem{{Field: name, Detail: "must be a positive whole number"}}
		return 0, p
	}
	return int32(n), nil
}
