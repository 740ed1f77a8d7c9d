package pepper_test

import (
	"log/slog"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/keymint/keymint/internal/testkit"
	"github.com/keymint/keymint/shared/app"
	"github.com/keymint/keymint/shared/app/pepper"
	"github.com/keymint/keymint/shared/clock"
	"github.com/keymint/keymint/shared/config"
	"github.com/keymint/keymint/shared/keyring"
)

const secretARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:keymint/pepper-AbCdEf"

// On AWS (no keyring source handed in) the keyring is the secret
// KEYRING_SECRET_ARN names; otherwise it is the App's own, and Secrets
// Manager is never called.
func TestKeyring(t *testing.T) {
	t.Parallel()
	doc := []byte(`{"current":"k1","keys":{"k1":"AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE="}}`)
	cases := []struct {
		name      string
		src       keyring.Source
		wantCalls int64
	}{
		{"secret", nil, 1},
		{"the App's own", keyring.StaticSource(doc), 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fake, _ := testkit.NewSecretsManager(t)
			fake.SetString(secretARN, doc)
			cfg, err := config.FromEnv(func(k string) string {
				return map[string]string{"TABLE_NAME": "t", "KEYRING_SECRET_ARN": secretARN}[k]
			})
			if err != nil {
				t.Fatal(err)
			}
			awsCfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("x", "y", ""), BaseEndpoint: aws.String(fake.URL)}
			a, err := app.Assemble(cfg, awsCfg, nil, c.src, clock.NewManual(testkit.Start), slog.New(slog.DiscardHandler))
			if err != nil {
				t.Fatal(err)
			}
			keys := pepper.Keyring(a)
			if c.src != nil && keys != a.Keyring {
				t.Fatal("the App has a keyring, and pepper made another")
			}
			if id, _, err := keys.Hash(t.Context(), "secret"); err != nil || id != "k1" {
				t.Fatalf("Hash = %q, %v; want k1", id, err)
			}
			if n := fake.Calls.Load(); n != c.wantCalls {
				t.Fatalf("%d GetSecretValue calls, want %d", n, c.wantCalls)
			}
			if c.wantCalls > 0 && fake.LastSecretID() != secretARN {
				t.Fatalf("read secret %q, want %q", fake.LastSecretID(), secretARN)
			}
		})
	}
}
