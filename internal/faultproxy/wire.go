package faultproxy

import (
	"crypto/rand"
	"encoding/json"
	"hash/crc32"
	"net/http"
	"strconv"
)

// Error responses copy DynamoDB's awsJson1_0 error shape as documented in
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html:
//
//	HTTP/1.1 400 Bad Request
//	x-amzn-RequestId: LDM6CJP8RMQ1FHKSC1RBVJFPNVV4KQNSO5AEMF66Q9ASUAAJG
//	Content-Type: application/x-amz-json-1.0
//	{"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException","message":"..."}
//
// How SDK for Go v2 reads them (service/dynamodb v1.73.1 has no generated
// deserializers.go any more; it decodes through schemas):
//   - smithy-go transport/http/protocol/awsjson/awsjson.go deserializeError
//     takes the type from the X-Amzn-ErrorType header, else from "__type",
//     strips everything up to '#', and looks the name up in dynamodb's
//     TypeRegistry (type_registry.go). ThrottlingException,
//     ProvisionedThroughputExceededException, RequestLimitExceeded and
//     InternalServerError are modelled there and come back as *types.X;
//     any other name (ServiceUnavailable) comes back as
//     *smithy.GenericAPIError with that Code. Either way the error is
//     wrapped in *awshttp.ResponseError carrying the status and request ID.
//   - aws/retry/standard.go DefaultRetryables retries on HTTP status
//     500/502/503/504 and on the codes in DefaultThrottleErrorCodes, which
//     hold all three throttling exceptions, and retries connection errors
//     (*smithyhttp.RequestSendError, which is what a drop produces).
//     DefaultThrottles (adaptive.go) also calls those codes throttles. In
//     the default standard mode that changes nothing (same 5-token cost,
//     same 0-2^attempt s jittered backoff, 3 attempts); it matters in
//     adaptive mode (client-side rate limiting) and under
//     AWS_NEW_RETRIES_2026 (cheaper tokens, 1s backoff base instead of
//     dynamodb's 25ms, 4 attempts).
//   - dynamodb's internal/customizations/checksum.go checks X-Amz-Crc32
//     when present, so we send a correct one, as DynamoDB does.

// errorNamespace prefixes every exception name DynamoDB sends.
const errorNamespace = "com.amazonaws.dynamodb.v20120810#"

// throttleMessage gives the message Programming.Errors documents for each
// throttling exception and reports whether code is one.
//
// Throttle defaults to ThrottlingException. The Programming.Errors page
// lists ProvisionedThroughputExceededException as "You exceeded your maximum
// allowed provisioned throughput" - a provisioned-mode condition - and
// RequestLimitExceeded for the account quota; keymint's table is
// PAY_PER_REQUEST (template.yaml). The throttling diagnosis guide
// (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/throttling-diagnosing-workflow.html)
// names ThrottlingException among the exceptions that carry on-demand
// ThrottlingReasons such as MaxOnDemandThroughputExceeded. We found no AWS
// page mapping each on-demand reason to exactly one exception, so Rule.Code
// lets a test pick another; the SDK treats all three the same (HTTP 400,
// FaultClient, retryable, throttle).
func throttleMessage(code string) (string, bool) {
	switch code {
	case "", "ThrottlingException":
		return "Rate of requests exceeds the allowed throughput.", true
	case "ProvisionedThroughputExceededException":
		return "You exceeded your maximum allowed provisioned throughput for a table or for one or more global secondary indexes.", true
	case "RequestLimitExceeded":
		return "Throughput exceeds the current throughput limit for your account.", true
	}
	return "", false
}

// errorFor is the status, exception name and message of an error Kind.
func errorFor(r Rule) (status int, name, message string) {
	switch r.Kind {
	case Throttle:
		name = r.Code
		if name == "" {
			name = "ThrottlingException"
		}
		message, _ = throttleMessage(name)
		return http.StatusBadRequest, name, message
	case ServerError:
		// Modelled as types.InternalServerError (FaultServer).
		return http.StatusInternalServerError, "InternalServerError", "Internal server error"
	default:
		// AWS documents "Service Unavailable (HTTP 503)" but no exception
		// name for it, and the SDK does not model one; the status alone
		// makes it retryable.
		return http.StatusServiceUnavailable, "ServiceUnavailable", "Service unavailable"
	}
}

// writeError answers with the error a Throttle, ServerError or Unavailable
// rule stands for.
func writeError(w http.ResponseWriter, r Rule) {
	status, name, message := errorFor(r)
	body, err := json.Marshal(struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
	}{errorNamespace + name, message + " (injected by faultproxy)"})
	if err != nil {
		// Two strings always marshal.
		panic(err)
	}
	h := w.Header()
	// Direct map writes keep DynamoDB's spelling; HTTP header names are
	// case-insensitive, so this is cosmetic for clients, exact for dumps.
	h["Content-Type"] = []string{"application/x-amz-json-1.0"}
	h["x-amzn-RequestId"] = []string{requestID()}
	h["x-amz-crc32"] = []string{strconv.FormatUint(uint64(crc32.ChecksumIEEE(body)), 10)}
	h["Content-Length"] = []string{strconv.Itoa(len(body))}
	w.WriteHeader(status)
	w.Write(body)
}

// requestID looks like DynamoDB's: 52 characters of [A-Z2-7].
func requestID() string { return rand.Text() + rand.Text() }
