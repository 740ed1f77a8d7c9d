package awssecret_test

import (
	"bytes"
	"testing"

	"github.com/keymint/keymint/internal/testkit"
	"github.com/keymint/keymint/shared/keyring/awssecret"
)

const secretID = "keymint/pepper"

// Load reads the secret's AWSCURRENT value as GetSecretValue answers it:
// SecretString, else SecretBinary; a version with neither is an error.
func TestLoad(t *testing.T) {
	t.Parallel()
	raw := []byte(`{"current":"k1","keys":{"k1":"AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE="}}`)
	tests := []struct {
		name    string
		setup   func(f *testkit.SecretsManager)
		want    []byte
		wantErr bool
	}{
		{"secret string", func(f *testkit.SecretsManager) { f.SetString(secretID, raw) }, raw, false},
		{"secret binary", func(f *testkit.SecretsManager) { f.SetBinary(secretID, raw) }, raw, false},
		{"no value", func(f *testkit.SecretsManager) { f.SetEmpty(secretID) }, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake, client := testkit.NewSecretsManager(t)
			tt.setup(fake)
			got, err := awssecret.New(client, secretID).Load(t.Context())
			if (err != nil) != tt.wantErr {
				t.Fatalf("Load error = %v, wantErr %v", err, tt.wantErr)
			}
			if !bytes.Equal(got, tt.want) {
				t.Errorf("Load = %q, want %q", got, tt.want)
			}
			if fake.Calls.Load() != 1 || fake.LastSecretID() != secretID {
				t.Errorf("fake saw %d calls, last SecretId %q; want 1 call for %q", fake.Calls.Load(), fake.LastSecretID(), secretID)
			}
		})
	}
}
