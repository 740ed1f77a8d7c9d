package faultproxy_test

import (
	"bytes"
	"context"
	"encoding/json"
	"hash/crc32"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/keymint/keymint/internal/faultproxy"
)

// The SDK is lenient about error bodies, so check the bytes ourselves
// against the shape in
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html.
func TestErrorWireFormat(t *testing.T) {
	t.Parallel()
	requestID := regexp.MustCompile(`^[A-Z2-7]{52}$`)
	tests := []struct {
		rule   faultproxy.Rule
		status int
		typ    string
	}{
		{faultproxy.Rule{Kind: faultproxy.Throttle}, 400, "com.amazonaws.dynamodb.v20120810#ThrottlingException"},
		{faultproxy.Rule{Kind: faultproxy.Throttle, Code: "ProvisionedThroughputExceededException"}, 400,
			"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException"},
		{faultproxy.Rule{Kind: faultproxy.ServerError}, 500, "com.amazonaws.dynamodb.v20120810#InternalServerError"},
		{faultproxy.Rule{Kind: faultproxy.Unavailable}, 503, "com.amazonaws.dynamodb.v20120810#ServiceUnavailable"},
	}
	for _, tc := range tests {
		t.Run(tc.typ, func(t *testing.T) {
			// No target needed: error faults never forward.
			p, err := faultproxy.New("http://127.0.0.1:1")
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			if err := p.Inject(tc.rule); err != nil {
				t.Fatal(err)
			}
			req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader("{}"))
			req.Header.Set("X-Amz-Target", "DynamoDB_20120810.PutItem")
			rec := httptest.NewRecorder()
			p.ServeHTTP(rec, req)
			res := rec.Result()
			body, _ := io.ReadAll(res.Body)

			if res.StatusCode != tc.status {
				t.Errorf("status = %d, want %d", res.StatusCode, tc.status)
			}
			if ct := res.Header.Get("Content-Type"); ct != "application/x-amz-json-1.0" {
				t.Errorf("Content-Type = %q", ct)
			}
			// Exact spelling as DynamoDB sends it, not just any casing.
			//lint:ignore SA1008 the recorder keeps keys as written, and the spelling is what is under test
			if id := rec.Header()["x-amzn-RequestId"]; len(id) != 1 || !requestID.MatchString(id[0]) {
				t.Errorf("x-amzn-RequestId = %q", id)
			}
			// The recorder keeps header keys as written; DynamoDB writes this one
			// in lower case.
			//lint:ignore SA1008 as above
			if got, want := strings.Join(rec.Header()["x-amz-crc32"], ","), strconv.FormatUint(uint64(crc32.ChecksumIEEE(body)), 10); got != want {
				t.Errorf("X-Amz-Crc32 = %q, body's CRC32 is %s", got, want)
			}
			if cl := res.Header.Get("Content-Length"); cl != strconv.Itoa(len(body)) {
				t.Errorf("Content-Length = %q for %d bytes", cl, len(body))
			}
			var fields map[string]string
			dec := json.NewDecoder(bytes.NewReader(body))
			if err := dec.Decode(&fields); err != nil {
				t.Fatalf("body %q: %v", body, err)
			}
			if len(fields) != 2 || fields["__type"] != tc.typ || fields["message"] == "" {
				t.Errorf("body = %s, want exactly __type %q and a message", body, tc.typ)
			}
			if p.Stats().Injected["PutItem"][tc.rule.Kind] != 1 {
				t.Errorf("fault not counted under PutItem: %+v", p.Stats())
			}
		})
	}
}

// Forwarding must not change what the SDK signed or what DynamoDB answered.
// A recording stub stands in for DynamoDB Local so every byte can be seen.
func TestForwardPreservesRequestAndResponse(t *testing.T) {
	t.Parallel()
	reqBody := []byte(`{"TableName":"t","Key":{"PK":{"S":"a\u00e9"}}}` + "\n")
	respBody := []byte(`{"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException","message":"nope"}`)
	type seen struct {
		r    *http.Request
		body []byte
	}
	// A channel, not shared variables: the race detector does not count a
	// socket round trip as synchronisation.
	seenc := make(chan seen, 1)
	stub := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		seenc <- seen{r.Clone(context.Background()), b}
		w.Header()["x-amzn-RequestId"] = []string{"STUBREQUESTID"}
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		w.Header().Set("X-Amz-Crc32", "12345")
		w.WriteHeader(http.StatusBadRequest)
		w.Write(respBody)
	}))
	defer stub.Close()

	p, err := faultproxy.New(stub.URL)
	if err != nil {
		t.Fatal(err)
	}
	url, err := p.Listen()
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()

	req, _ := http.NewRequest(http.MethodPost, url+"/?x=1", bytes.NewReader(reqBody))
	signed := map[string]string{
		"X-Amz-Target":          "DynamoDB_20120810.GetItem",
		"Content-Type":          "application/x-amz-json-1.0",
		"X-Amz-Date":            "20260101T000000Z",
		"Authorization":         "AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date;x-amz-target, Signature=abc",
		"Amz-Sdk-Invocation-Id": "inv-1",
		"User-Agent":            "aws-sdk-go-v2/test",
		"Accept-Encoding":       "identity",
	}
	for k, v := range signed {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()

	var got *http.Request
	var gotBody []byte
	select {
	case s := <-seenc:
		got, gotBody = s.r, s.body
	default:
		t.Fatal("stub never saw the request")
	}
	if !bytes.Equal(gotBody, reqBody) {
		t.Errorf("upstream body = %q, want %q", gotBody, reqBody)
	}
	for k, v := range signed {
		if got.Header.Get(k) != v {
			t.Errorf("upstream %s = %q, want %q", k, got.Header.Get(k), v)
		}
	}
	if got.Host != strings.TrimPrefix(url, "http://") {
		t.Errorf("upstream Host = %q, want the signed %q", got.Host, strings.TrimPrefix(url, "http://"))
	}
	if got.Method != http.MethodPost || got.URL.RequestURI() != "/?x=1" {
		t.Errorf("upstream %s %s, want POST /?x=1", got.Method, got.URL.RequestURI())
	}
	if got.Header.Get("X-Forwarded-For") != "" {
		t.Error("proxy added X-Forwarded-For")
	}

	if res.StatusCode != http.StatusBadRequest || !bytes.Equal(body, respBody) {
		t.Errorf("client got %d %q, want 400 %q", res.StatusCode, body, respBody)
	}
	for k, v := range map[string]string{"X-Amzn-Requestid": "STUBREQUESTID", "X-Amz-Crc32": "12345", "Content-Type": "application/x-amz-json-1.0"} {
		if res.Header.Get(k) != v {
			t.Errorf("client %s = %q, want %q", k, res.Header.Get(k), v)
		}
	}
	if n := p.Stats().Forwarded["GetItem"]; n != 1 {
		t.Errorf("Forwarded[GetItem] = %d, want 1", n)
	}
}
