package idtoken

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/keymint/keymint/shared/clock"
)

// signingAlgs are the ID token algorithms accepted: asymmetric only, so
// neither "none" nor an HMAC keyed with the issuer's public key can pass.
var signingAlgs = []jose.SignatureAlgorithm{jose.RS256, jose.RS384, jose.RS512, jose.ES256, jose.ES384, jose.ES512, jose.PS256, jose.PS384, jose.PS512}

// jwksRefresh is how often an unknown key id may make the verifier fetch
// the issuer's keys again. Providers publish a new key before signing with it
// (https://openid.net/specs/openid-connect-core-1_0.html#RotateSigKeys), so
// one fetch per minute finds it; more would let anyone who sends made-up
// key ids make the verifier hammer the provider.
const jwksRefresh = time.Minute

// keySet is the issuer's JWKS, cached, fetched again on an unknown key id
// at most once per jwksRefresh. It implements go-oidc's KeySet.
type keySet struct {
	url    string
	client *http.Client
	clock  clock.Clock

	mu      sync.Mutex
	keys    []jose.JSONWebKey
	fetched time.Time
}

// faultSlot, put in the context of a verification, receives a key fetch
// failure: go-oidc formats the KeySet's error into its own text, so the
// cause could not be told from a bad signature otherwise.
type faultSlot struct{ err error }

type faultKey struct{}

func (k *keySet) VerifySignature(ctx context.Context, jwt string) ([]byte, error) {
	jws, err := jose.ParseSigned(jwt, signingAlgs)
	if err != nil {
		return nil, fmt.Errorf("unreadable or disallowed signature: %w", err)
	}
	if len(jws.Signatures) != 1 {
		return nil, errors.New("not exactly one signature")
	}
	kid := jws.Signatures[0].Header.KeyID
	key, err := k.key(ctx, kid)
	if err != nil {
		if slot, ok := ctx.Value(faultKey{}).(*faultSlot); ok && errors.Is(err, ErrKeysUnavailable) {
			slot.err = err
		}
		return nil, err
	}
	return jws.Verify(key)
}

// key is the signing key kid names, fetching the set again if kid is new
// and the last fetch is old enough.
func (k *keySet) key(ctx context.Context, kid string) (*jose.JSONWebKey, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if key := find(k.keys, kid); key != nil {
		return key, nil
	}
	if !k.fetched.IsZero() && k.clock.Now().Sub(k.fetched) < jwksRefresh {
		return nil, fmt.Errorf("unknown key id %q", kid)
	}
	keys, err := k.fetch(ctx)
	if err != nil {
		return nil, err
	}
	k.keys, k.fetched = keys, k.clock.Now()
	if key := find(keys, kid); key != nil {
		return key, nil
	}
	return nil, fmt.Errorf("unknown key id %q", kid)
}

// find is the public signing key with id kid. A token without a kid
// matches only a set of one key: with several, which one signed it would
// be a guess.
func find(keys []jose.JSONWebKey, kid string) *jose.JSONWebKey {
	if kid == "" {
		if len(keys) == 1 {
			return &keys[0]
		}
		return nil
	}
	for i := range keys {
		if keys[i].KeyID == kid {
			return &keys[i]
		}
	}
	return nil
}

// maxJWKS bounds the key set document read.
const maxJWKS = 1 << 20

func (k *keySet) fetch(ctx context.Context) ([]jose.JSONWebKey, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, k.url, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrKeysUnavailable, err)
	}
	resp, err := k.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrKeysUnavailable, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxJWKS))
	if err != nil || resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%w: GET %s: %s %v", ErrKeysUnavailable, k.url, resp.Status, err)
	}
	var set struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(body, &set); err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrKeysUnavailable, k.url, err)
	}
	// Keys of a type this build cannot read are skipped, not fatal: a
	// provider may publish keys for others (encryption, new algorithms).
	keys := make([]jose.JSONWebKey, 0, len(set.Keys))
	for _, raw := range set.Keys {
		var key jose.JSONWebKey
		if key.UnmarshalJSON(raw) == nil && key.IsPublic() && (key.Use == "" || key.Use == "sig") {
			keys = append(keys, key)
		}
	}
	return keys, nil
}
