package validate

import (
	"context"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// warmTimeout bounds the cold-start warm-up.
const warmTimeout = 2 * time.Second

// Warm starts, in the background, work a cold start's first request would
// otherwise do in turn. The keyring's first read (Secrets Manager on AWS)
// would come after the token's table read; begun at init it runs beside
// it, and the request's Verify joins the read in flight. encoding/json's
// encoders for the answer types are built on the way. With table set (an
// environment started ahead of traffic, AWS_LAMBDA_INITIALIZATION_TYPE
// provisioned-concurrency), a read of a key no item has also opens the
// table connection, as AWS advises for init
// (https://docs.aws.amazon.com/lambda/latest/dg/best-practices.html); on
// demand, the first event is already waiting, and a second connection
// would only compete with the request's own. No request waits for the
// warm-up; failures are only logged, and the request that needs the part
// tries again and answers for it.
func (v *Validator) Warm(keys interface{ Load(context.Context) error }, table bool) {
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), warmTimeout)
		defer cancel()
		if table {
			go func() {
				if err := v.store.Warm(ctx); err != nil {
					v.log.WarnContext(ctx, "warm-up: table read failed", slog.Any("error", err))
				}
			}()
		}
		for _, a := range []any{events.APIGatewayCustomAuthorizerResponse{}, events.APIGatewayV2CustomAuthorizerIAMPolicyResponse{}, DirectResponse{}} {
			encode(a)
		}
		if err := keys.Load(ctx); err != nil {
			v.log.WarnContext(ctx, "warm-up: keyring read failed", slog.Any("error", err))
		}
	}()
}
