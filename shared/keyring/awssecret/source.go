package awssecret

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/keymint/keymint/shared/keyring"
)

// Getter is the part of the Secrets Manager client the source uses.
type Getter interface {
	GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
}

var (
	_ Getter         = (*secretsmanager.Client)(nil)
	_ keyring.Source = (*Source)(nil)
)

// errEmptySecret reports a secret version that carries neither a string nor
// binary value.
var errEmptySecret = errors.New("secret has no value")

// Source reads the keyring from the AWSCURRENT version of a Secrets
// Manager secret
// (https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_GetSecretValue.html).
type Source struct {
	client   Getter
	secretID string
}

// New reads secretID (name or ARN) through c.
func New(c Getter, secretID string) *Source {
	return &Source{client: c, secretID: secretID}
}

// Load fetches the secret value, preferring SecretString and falling back to
// SecretBinary. SDK errors are wrapped, so errors.As still finds types such as
// *types.ResourceNotFoundException.
func (s *Source) Load(ctx context.Context) ([]byte, error) {
	out, err := s.client.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(s.secretID)})
	if err != nil {
		return nil, fmt.Errorf("keyring: reading secret %q: %w", s.secretID, err)
	}
	switch {
	case out.SecretString != nil:
		return []byte(*out.SecretString), nil
	case out.SecretBinary != nil:
		return out.SecretBinary, nil
	}
	return nil, fmt.Errorf("keyring: reading secret %q: %w", s.secretID, errEmptySecret)
}
