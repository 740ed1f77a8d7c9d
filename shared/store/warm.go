package store

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// Warm makes one cheap read (an eventually consistent GetItem of a key no
// item has, half a read unit) so the client's first real request finds a
// connection open, its endpoint resolved and its signing key derived. AWS
// advises opening connections during init, outside the handler
// (https://docs.aws.amazon.com/lambda/latest/dg/best-practices.html); on
// AWS this moves the TLS handshake out of a cold start's first request.
func (s *Store) Warm(ctx context.Context) error {
	_, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(s.table),
		Key:       key("WARM#", "WARM#"),
	})
	if err != nil {
		return fault("warm", err)
	}
	return nil
}
