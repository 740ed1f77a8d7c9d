package testkit

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// Issuer is an OpenID provider's published side for tests: discovery and
// JWKS over HTTP, and ID tokens signed with its key. Audience is the client
// id its tokens are for by default.
type Issuer struct {
	URL      string
	Audience string
	Key      *rsa.PrivateKey
	KeyID    string
	// JWKSFetches counts GETs of the key set.
	JWKSFetches atomic.Int64
	// Down makes discovery and the key set answer 503.
	Down atomic.Bool
}

// NewIssuer starts an issuer on a loopback httptest server.
func NewIssuer(t testing.TB) *Issuer {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	is := &Issuer{Audience: "keymint-test", Key: key, KeyID: "test-key-1"}
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	is.URL = srv.URL
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, _ *http.Request) {
		if is.Down.Load() {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{
			"issuer": is.URL, "jwks_uri": is.URL + "/jwks", "authorization_endpoint": is.URL + "/auth",
			"token_endpoint": is.URL + "/token", "id_token_signing_alg_values_supported": []string{"RS256"},
		})
	})
	mux.HandleFunc("GET /jwks", func(w http.ResponseWriter, _ *http.Request) {
		is.JWKSFetches.Add(1)
		if is.Down.Load() {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		_ = json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &key.PublicKey, KeyID: is.KeyID, Algorithm: "RS256", Use: "sig"}}})
	})
	return is
}

// Claims are an ID token for sub from this issuer, valid for an hour from
// now; tests change what they probe.
func (is *Issuer) Claims(sub string, now time.Time) map[string]any {
	return map[string]any{"iss": is.URL, "aud": is.Audience, "sub": sub, "iat": now.Unix(), "exp": now.Add(time.Hour).Unix()}
}

// Sign signs claims with the issuer's key (RS256, its key id).
func (is *Issuer) Sign(t testing.TB, claims map[string]any) string {
	t.Helper()
	return SignJWT(t, jose.RS256, is.Key, is.KeyID, claims)
}

// SignJWT signs claims with any key and algorithm, for crafted tokens.
func SignJWT(t testing.TB, alg jose.SignatureAlgorithm, key any, kid string, claims map[string]any) string {
	t.Helper()
	opts := (&jose.SignerOptions{}).WithType("JWT")
	if kid != "" {
		opts = opts.WithHeader("kid", kid)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: key}, opts)
	if err != nil {
		t.Fatal(err)
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		t.Fatal(err)
	}
	out, err := jws.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// Env is the App environment that trusts this issuer, with the admin group
// claim set as the local provider sets it.
func (is *Issuer) Env() Env {
	return Env{"OIDC_ISSUER": is.URL, "OIDC_AUDIENCE": is.Audience, "OIDC_ADMIN_CLAIM": "groups", "OIDC_ADMIN_VALUE": "keymint-admins"}
}
