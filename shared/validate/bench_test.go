package validate_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/keymint/keymint/internal/testkit"
	"github.com/keymint/keymint/shared/manage"
)

// BenchmarkValidate measures validate's hot path: an HTTP API v2 authorizer
// event with a valid token, served from the decision cache (the common case
// under load) and from DynamoDB Local on every call (cache off).
func BenchmarkValidate(b *testing.B) {
	for _, c := range []struct{ name, ttl string }{{"cache-hit", "1h"}, {"cache-off", "0"}} {
		b.Run(c.name, func(b *testing.B) {
			a := testkit.NewApp(b, testkit.Env{"VALIDATE_CACHE_TTL": c.ttl, "SCOPES_FILE": "testdata/scopes.json", "LAST_USED_INTERVAL": "1h"})
			svc := a.Service()
			tok, err := svc.Issue(context.Background(), manage.Caller{Ops: true}, manage.IssueRequest{Owner: "bench", Name: "b", Scopes: []string{"sample:call"}})
			if err != nil {
				b.Fatal(err)
			}
			h := a.App.ValidateHandler()
			raw, _ := json.Marshal(map[string]any{
				"version": "2.0", "type": "REQUEST", "routeArn": "arn:aws:execute-api:us-east-1:123456789012:api/$default/POST/my/path",
				"identitySource": []string{"Bearer " + tok.Plaintext}, "routeKey": "POST /my/path", "rawPath": "/my/path",
				"requestContext": map[string]any{"http": map[string]any{"method": "POST", "path": "/my/path", "sourceIp": "198.51.100.1"}},
			})
			ctx := context.Background()
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				out, err := h.Handle(ctx, raw)
				if err != nil {
					b.Fatal(err)
				}
				if !out.(events.APIGatewayV2CustomAuthorizerSimpleResponse).IsAuthorized {
					b.Fatal("refused")
				}
			}
		})
	}
}
