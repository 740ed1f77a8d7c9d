package validate_test

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/golang-jwt/jwt/v5"
	"github.com/keymint/keymint/internal/testkit"
	"github.com/keymint/keymint/shared/manage"
	"github.com/keymint/keymint/shared/validate"
)

// The targets these feed (BENCHMARKS.md) compare validate with a stateless
// JWT check measured in the same run: CPU time per call (getrusage), since
// the machine is shared and wall time would measure the neighbours.

// benchEnv is production's setting where it matters to speed: allows are
// not logged at INFO, and usage is written at most every interval.
func benchEnv(ttl string) testkit.Env {
	return testkit.Env{"VALIDATE_CACHE_TTL": ttl, "LAST_USED_INTERVAL": "1h", "SCOPES_FILE": "testdata/scopes.json", "AWS_LAMBDA_LOG_LEVEL": "INFO"}
}

// jwtReference is an HS256 JWT of 211 characters, a common size for an
// access token with a subject, issuer, scope and times.
func jwtReference(b *testing.B, key []byte) string {
	for pad := 1; pad < 64; pad++ {
		claims := jwt.MapClaims{"iss": "https://id.example", "sub": strings.Repeat("u", pad), "scope": "tokens:read",
			"iat": 1764000000, "exp": 4102444800}
		s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(key)
		if err != nil {
			b.Fatal(err)
		}
		if len(s) == 211 {
			return s
		}
	}
	b.Fatal("no 211-character JWT")
	return ""
}

// BenchmarkJWTReference is what users pick instead of a token table: a
// stateless JWT check with golang-jwt/jwt/v5 (HS256, parse and verify,
// expiry required).
func BenchmarkJWTReference(b *testing.B) {
	key := []byte("0123456789abcdef0123456789abcdef")
	tok := jwtReference(b, key)
	parser := jwt.NewParser(jwt.WithValidMethods([]string{"HS256"}), jwt.WithExpirationRequired())
	keyFunc := func(*jwt.Token) (any, error) { return key, nil }
	b.ReportAllocs()
	cpu := testkit.StartCPU()
	for b.Loop() {
		t, err := parser.Parse(tok, keyFunc)
		if err != nil || !t.Valid {
			b.Fatalf("reference JWT refused: %v", err)
		}
	}
	cpu.Report(b)
}

// issueBench issues the token the benchmarks present.
func issueBench(b *testing.B, a *testkit.App) *manage.Issued {
	tok, err := a.Service().Issue(context.Background(), manage.Caller{Ops: true}, manage.IssueRequest{Owner: "bench", Name: "b", Scopes: []string{"sample:call", "tokens:read"}})
	if err != nil {
		b.Fatal(err)
	}
	return tok
}

// allowed reads any allow from an answer's bytes.
func allowed(raw []byte) bool {
	var a struct {
		IsAuthorized   bool                                          `json:"isAuthorized"`
		PolicyDocument struct{ Statement []struct{ Effect string } } `json:"policyDocument"`
	}
	return json.Unmarshal(raw, &a) == nil && (a.IsAuthorized || len(a.PolicyDocument.Statement) > 0 && a.PolicyDocument.Statement[0].Effect == "Allow")
}

// BenchmarkLambdaPath is a cache hit through aws-lambda-go's handler, as the
// runtime calls it, for AWS's sample events with a real token, compact as
// Lambda delivers them (the HTTP API one is 1.3 KB).
func BenchmarkLambdaPath(b *testing.B) {
	a := testkit.NewApp(b, benchEnv("1h"))
	tok := issueBench(b, a)
	h := lambda.NewHandler(validate.Lambda(a.App))
	ctx := context.Background()
	for _, c := range []struct{ name, file string }{{"http-v2-hit", "http-v2.json"}, {"rest-token-hit", "rest-token.json"}} {
		// AWS's sample has "IP" for the caller's address; a real one is
		// an address.
		raw := bytes.Replace(sample(b, c.file, tok.Plaintext), []byte(`"sourceIp": "IP"`), []byte(`"sourceIp": "198.51.100.7"`), 1)
		var buf bytes.Buffer
		if err := json.Compact(&buf, raw); err != nil {
			b.Fatal(err)
		}
		payload := buf.Bytes()
		out, err := h.Invoke(ctx, payload)
		if err != nil || !allowed(out) {
			b.Fatalf("%s: %s %v", c.file, out, err)
		}
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			b.ReportMetric(float64(len(payload)), "event-bytes")
			cpu := testkit.StartCPU()
			for b.Loop() {
				if _, err := h.Invoke(ctx, payload); err != nil {
					b.Fatal(err)
				}
			}
			cpu.Report(b)
		})
	}
}

// BenchmarkCheck is the decision alone, on a cache hit.
func BenchmarkCheck(b *testing.B) {
	a := testkit.NewApp(b, benchEnv("1h"))
	tok := issueBench(b, a)
	v := validate.NewValidator(a.Store, a.Keyring, a.Catalogue, a.Clock, validate.OptionsFrom(a.Config), a.Log)
	req := validate.Request{Token: tok.Plaintext, Method: "POST", Path: "/my/path", SourceIP: "198.51.100.1"}
	ctx := context.Background()
	if d, err := v.Check(ctx, req); err != nil || d.Status != validate.Valid {
		b.Fatalf("%v %v", d.Status, err)
	}
	b.Run("hit", func(b *testing.B) {
		b.ReportAllocs()
		cpu := testkit.StartCPU()
		for b.Loop() {
			if d, _ := v.Check(ctx, req); d.Status != validate.Valid {
				b.Fatal(d.Status)
			}
		}
		cpu.Report(b)
	})
}

// BenchmarkCacheMiss is validate reading the table on every call (cache
// off), against a bare GetItem of the same item on the same client,
// interleaved so both see the same load. It reports both medians.
func BenchmarkCacheMiss(b *testing.B) {
	a := testkit.NewApp(b, benchEnv("0"))
	tok := issueBench(b, a)
	h := lambda.NewHandler(validate.Lambda(a.App))
	ctx := context.Background()
	payload := sample(b, "http-v2.json", tok.Plaintext)
	get := &dynamodb.GetItemInput{TableName: aws.String(a.Table), Key: map[string]types.AttributeValue{
		"PK": &types.AttributeValueMemberS{Value: "TOKEN#" + tok.Token.ID}, "SK": &types.AttributeValueMemberS{Value: "META"},
	}}
	if out, err := a.DB.GetItem(ctx, get); err != nil || out.Item == nil {
		b.Fatalf("bare GetItem: %v (item found: %v)", err, err == nil && out.Item != nil)
	}
	var miss, bare []time.Duration
	b.ResetTimer()
	for b.Loop() {
		t0 := time.Now()
		out, err := h.Invoke(ctx, payload)
		t1 := time.Now()
		if err != nil || !allowed(out) {
			b.Fatalf("%s %v", out, err)
		}
		if _, err := a.DB.GetItem(ctx, get); err != nil {
			b.Fatal(err)
		}
		miss, bare = append(miss, t1.Sub(t0)), append(bare, time.Since(t1))
	}
	b.ReportMetric(float64(median(miss)), "miss-p50-ns")
	b.ReportMetric(float64(median(bare)), "getitem-p50-ns")
}

func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}
