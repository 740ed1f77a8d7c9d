package store

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/keymint/keymint/shared/lifecycle"
)

// KeyUse is how many tokens still need one pepper key: live tokens whose
// current secret it hashed, and secrets in a regenerate grace period.
type KeyUse struct {
	Tokens int `json:"tokens"`
	Grace  int `json:"graceSecrets"`
}

// KeyUsage counts, per key id, the tokens that would stop working if that
// key left the keyring, so ops can retire a key only when nothing needs it.
// Revoked and expired tokens need no key. It reads the whole table (a
// paged Scan of the few attributes it needs): an ops report, not a request
// path.
func (s *Store) KeyUsage(ctx context.Context, now time.Time) (map[string]KeyUse, int, error) {
	proj := expression.NamesList(expression.Name("keyId"), expression.Name("prevKeyId"), expression.Name("prevValidUntil"),
		expression.Name("status"), expression.Name("expiresAt"))
	filter := expression.Name("SK").Equal(expression.Value(metaSK)).
		And(expression.Name("PK").BeginsWith("TOKEN#"))
	expr, err := expression.NewBuilder().WithProjection(proj).WithFilter(filter).Build()
	if err != nil {
		return nil, 0, fmt.Errorf("store: key usage expression: %w", err)
	}
	pages := dynamodb.NewScanPaginator(s.db, &dynamodb.ScanInput{
		TableName:                 aws.String(s.table),
		ProjectionExpression:      expr.Projection(),
		FilterExpression:          expr.Filter(),
		ExpressionAttributeNames:  expr.Names(),
		ExpressionAttributeValues: expr.Values(),
	})
	out, scanned := map[string]KeyUse{}, 0
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, scanned, fault("scan key usage", err)
		}
		scanned += int(page.ScannedCount)
		toks, err := decodeRecords(page.Items)
		if err != nil {
			return nil, scanned, err
		}
		for _, t := range toks {
			if t.Status == lifecycle.StatusRevoked || t.ExpiresAt <= now.Unix() {
				continue
			}
			u := out[t.KeyID]
			u.Tokens++
			out[t.KeyID] = u
			if t.PrevKeyID != "" && t.PrevValidUntil > now.Unix() {
				g := out[t.PrevKeyID]
				g.Grace++
				out[t.PrevKeyID] = g
			}
		}
	}
	return out, scanned, nil
}
