package oidc

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
)

// jwk is an RSA private key as JSON Web Key (RFC 7517, 7518 §6.3), the form
// oidc-provider reads its signing keys in.
type jwk struct {
	Kty string `json:"kty"`
	Kid string `json:"kid"`
	Use string `json:"use"`
	Alg string `json:"alg"`
	N   string `json:"n"`
	E   string `json:"e"`
	D   string `json:"d"`
	P   string `json:"p"`
	Q   string `json:"q"`
	Dp  string `json:"dp"`
	Dq  string `json:"dq"`
	Qi  string `json:"qi"`
}

type jwkSet struct {
	Keys []jwk `json:"keys"`
}

// JWKSFile is where the signing key is kept under a local directory.
func JWKSFile(localDir string) string { return filepath.Join(localDir, "oidc", "jwks.json") }

// SigningKey returns the provider's RS256 signing key and its key id (the
// RFC 7638 thumbprint), making and saving it (0600) on first use. Tests sign
// tokens with it to stand in for the provider.
func SigningKey(localDir string) (*rsa.PrivateKey, string, error) {
	path := JWKSFile(localDir)
	key, kid, err := readSigningKey(path)
	if errors.Is(err, os.ErrNotExist) {
		if err := createSigningKey(path); err != nil {
			return nil, "", err
		}
		key, kid, err = readSigningKey(path)
	}
	if err != nil {
		return nil, "", err
	}
	return key, kid, nil
}

// createSigningKey publishes a new key with a hard link, which fails when
// the file exists: of two processes making a key at once, one key wins and
// both then read it.
func createSigningKey(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("oidc: %w", err)
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return fmt.Errorf("oidc: generate key: %w", err)
	}
	doc, err := json.MarshalIndent(jwkSet{Keys: []jwk{toJWK(key)}}, "", "  ")
	if err != nil {
		return fmt.Errorf("oidc: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".jwks.*")
	if err != nil {
		return fmt.Errorf("oidc: %w", err)
	}
	defer os.Remove(tmp.Name())
	_, werr := tmp.Write(append(doc, '\n'))
	if cerr := tmp.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		return fmt.Errorf("oidc: write %s: %w", tmp.Name(), werr)
	}
	if err := os.Link(tmp.Name(), path); err != nil && !errors.Is(err, os.ErrExist) {
		return fmt.Errorf("oidc: %w", err)
	}
	return nil
}

func readSigningKey(path string) (*rsa.PrivateKey, string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, "", err
	}
	fi, err := os.Stat(path)
	if err != nil {
		return nil, "", err
	}
	if fi.Mode().Perm()&0o077 != 0 {
		// A private key others can read is no private key.
		if err := os.Chmod(path, 0o600); err != nil {
			return nil, "", fmt.Errorf("oidc: %w", err)
		}
	}
	var set jwkSet
	if err := json.Unmarshal(b, &set); err != nil {
		return nil, "", fmt.Errorf("oidc: %s: %w", path, err)
	}
	if len(set.Keys) != 1 || set.Keys[0].Kty != "RSA" || set.Keys[0].Alg != "RS256" {
		return nil, "", fmt.Errorf("oidc: %s must hold exactly one RS256 key (delete it to make a new one)", path)
	}
	key, err := fromJWK(set.Keys[0])
	if err != nil {
		return nil, "", fmt.Errorf("oidc: %s: %w", path, err)
	}
	return key, set.Keys[0].Kid, nil
}

func b64(i *big.Int) string { return base64.RawURLEncoding.EncodeToString(i.Bytes()) }

func toJWK(key *rsa.PrivateKey) jwk {
	key.Precompute()
	n, e := b64(key.N), b64(big.NewInt(int64(key.E)))
	return jwk{
		Kty: "RSA", Kid: thumbprint(n, e), Use: "sig", Alg: "RS256",
		N: n, E: e, D: b64(key.D),
		P: b64(key.Primes[0]), Q: b64(key.Primes[1]),
		Dp: b64(key.Precomputed.Dp), Dq: b64(key.Precomputed.Dq), Qi: b64(key.Precomputed.Qinv),
	}
}

// thumbprint is the RFC 7638 key id: the members in lexical order, no spaces.
func thumbprint(n, e string) string {
	sum := sha256.Sum256([]byte(`{"e":"` + e + `","kty":"RSA","n":"` + n + `"}`))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

func fromJWK(k jwk) (*rsa.PrivateKey, error) {
	ints := make([]*big.Int, 5)
	for i, s := range []string{k.N, k.E, k.D, k.P, k.Q} {
		b, err := base64.RawURLEncoding.DecodeString(s)
		if err != nil || len(b) == 0 {
			return nil, errors.New("malformed RSA key member")
		}
		ints[i] = new(big.Int).SetBytes(b)
	}
	if !ints[1].IsInt64() || ints[1].Int64() > 1<<31-1 {
		return nil, errors.New("RSA exponent out of range")
	}
	key := &rsa.PrivateKey{
		PublicKey: rsa.PublicKey{N: ints[0], E: int(ints[1].Int64())},
		D:         ints[2],
		Primes:    []*big.Int{ints[3], ints[4]},
	}
	if err := key.Validate(); err != nil {
		return nil, err
	}
	key.Precompute()
	if k.Kid != thumbprint(k.N, k.E) {
		return nil, errors.New("kid is not the key's thumbprint")
	}
	return key, nil
}
