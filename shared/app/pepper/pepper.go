package pepper

import (
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/keymint/keymint/shared/app"
	"github.com/keymint/keymint/shared/keyring"
	"github.com/keymint/keymint/shared/keyring/awssecret"
)

// Keyring is the keyring of a function that hashes or verifies secrets:
// the App's when it has one, else one reading the secret KEYRING_SECRET_ARN
// names. Call it once per function and share the result: each keyring
// caches its own reads.
func Keyring(a *app.App) *keyring.Keyring {
	if a.Keyring != nil {
		return a.Keyring
	}
	src := awssecret.New(secretsmanager.NewFromConfig(a.AWS), a.Config.KeyringSecretARN)
	return keyring.New(src, a.Clock, a.Config.KeyringRefresh)
}
