package store

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
)

// ClaimWindow is how long an idempotency key answers for the token it
// created; DynamoDB's TTL removes the claim some time after.
const ClaimWindow = 24 * time.Hour

// Claim is an idempotency key taken by a create: written in the same
// transaction as the token, so a key that exists names a token that does.
// It never holds the secret, only the fingerprint of the request that made it.
type Claim struct {
	PK          string `dynamodbav:"PK"`
	SK          string `dynamodbav:"SK"`
	TokenID     string `dynamodbav:"tokenId"`
	Fingerprint string `dynamodbav:"fingerprint"`
	CreatedAt   int64  `dynamodbav:"createdAt"`
	ExpiresTTL  int64  `dynamodbav:"expiresTTL"`
}

// NewClaim names the key of one caller (scope: whoever may replay it).
func NewClaim(scope, key, fingerprint string) *Claim {
	return &Claim{PK: claimPK(scope, key), SK: claimSK, Fingerprint: fingerprint}
}

func claimPK(scope, key string) string { return "IDEM#" + scope + "#" + key }

// FindClaim reads a claim that is still within its window (strongly
// consistent: the transaction that wrote it may have just finished).
func (s *Store) FindClaim(ctx context.Context, c *Claim, now time.Time) (*Claim, error) {
	var found Claim
	ok, err := s.get(ctx, key(c.PK, claimSK), Consistent, "idempotency claim", &found)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, ErrNotFound
	}
	if found.ExpiresTTL <= now.Unix() {
		return nil, ErrNotFound
	}
	return &found, nil
}

// addClaim puts the claim for token id. It may replace a claim whose window
// has passed (TTL deletion lags) and is a no-op against its own earlier
// write, which is what a replayed transaction meets.
func (s *Store) addClaim(b *txBuilder, c *Claim, tokenID string, now time.Time) error {
	put := *c
	put.SK, put.TokenID, put.CreatedAt = claimSK, tokenID, now.Unix()
	put.ExpiresTTL = now.Add(ClaimWindow).Unix()
	item, err := attributevalue.MarshalMap(put)
	if err != nil {
		return fmt.Errorf("store: encode idempotency claim: %w", err)
	}
	cond := expression.Or(
		expression.AttributeNotExists(expression.Name("PK")),
		expression.Name(TTLAttribute).LessThanEqual(expression.Value(now.Unix())),
		expression.Name("tokenId").Equal(expression.Value(tokenID)),
	)
	it, err := s.txPut(item, cond)
	if err != nil {
		return err
	}
	b.add(guardClaim, it)
	return nil
}
