package idtoken

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/keymint/keymint/shared/clock"
	"github.com/keymint/keymint/shared/signin"
)

// Person is who a verified ID token names.
type Person struct {
	Owner   string    // the owner claim as sent: the caller checks it names an owner
	Admin   bool      // the admin claim holds the admin value
	Expires time.Time // the token's exp
}

// ClockSkew is how far the issuer's clock may be from Lambda's when exp
// and nbf are judged: both are set by the issuer's clock.
const ClockSkew = 30 * time.Second

// maxIDToken bounds a presented ID token; real ones are a few KB.
const maxIDToken = 16 << 10

// discoveryRetry is how long the verifier waits after a failed discovery
// before trying again: requests in between are refused at once (fail
// closed) instead of each waiting on a provider that is down.
const discoveryRetry = 10 * time.Second

// Verifier verifies ID tokens from the configured issuer (docs/signin.md).
type Verifier struct {
	cfg    signin.OIDC
	clock  clock.Clock
	client *http.Client
	log    *slog.Logger

	mu       sync.Mutex
	verifier *oidc.IDTokenVerifier
	retryAt  time.Time
	lastErr  error
}

// New is a Verifier for cfg's issuer, or nil when sign-in is off.
func New(cfg signin.OIDC, clk clock.Clock, log *slog.Logger) *Verifier {
	if !cfg.On() {
		return nil
	}
	return &Verifier{cfg: cfg, clock: clk, log: log, client: &http.Client{Timeout: 5 * time.Second}}
}

// LooksLikeJWT: three base64url parts, the JWS compact form
// (https://www.rfc-editor.org/rfc/rfc7515#section-7.1). A keymint token has
// underscores but no dots, so the two never mix.
func LooksLikeJWT(s string) bool {
	return strings.Count(s, ".") == 2 && len(s) <= maxIDToken
}

// verifierFor discovers the issuer on first use: at init it would put a
// provider's round trip into every cold start, whether a person signs in
// or not. go-oidc checks the document names the configured issuer.
func (v *Verifier) verifierFor(ctx context.Context) (*oidc.IDTokenVerifier, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.verifier != nil {
		return v.verifier, nil
	}
	if v.clock.Now().Before(v.retryAt) {
		return nil, fmt.Errorf("%w (retrying after %s): %w", ErrDiscovery, v.retryAt.Format(time.RFC3339), v.lastErr)
	}
	prov, err := oidc.NewProvider(oidc.ClientContext(ctx, v.client), v.cfg.Issuer)
	var meta struct {
		JWKSURI string `json:"jwks_uri"`
	}
	if err == nil {
		err = prov.Claims(&meta)
	}
	if err == nil && meta.JWKSURI == "" {
		err = errors.New("no jwks_uri")
	}
	if err != nil {
		v.retryAt, v.lastErr = v.clock.Now().Add(discoveryRetry), err
		return nil, fmt.Errorf("%w: %w", ErrDiscovery, err)
	}
	algs := make([]string, len(signingAlgs))
	for i, a := range signingAlgs {
		algs[i] = string(a)
	}
	// Expiry is judged in Verify, with the skew allowance, from the same
	// clock as everything else the caller decides.
	v.verifier = oidc.NewVerifier(v.cfg.Issuer, &keySet{url: meta.JWKSURI, client: v.client, clock: v.clock},
		&oidc.Config{ClientID: v.cfg.Audience, SupportedSigningAlgs: algs, SkipExpiryCheck: true})
	return v.verifier, nil
}

// Verify checks an ID token: signature by the issuer's keys with an allowed
// algorithm, iss, aud, azp, exp and nbf, and the claims naming the person.
// A bad token is ErrRefused or ErrExpired; any other error means it could
// not be checked (ErrDiscovery, ErrKeysUnavailable).
func (v *Verifier) Verify(ctx context.Context, raw string, now time.Time) (Person, error) {
	iv, err := v.verifierFor(ctx)
	if err != nil {
		return Person{}, err
	}
	slot := &faultSlot{}
	tok, err := iv.Verify(context.WithValue(ctx, faultKey{}, slot), raw)
	if slot.err != nil {
		return Person{}, slot.err
	}
	if err != nil {
		v.log.InfoContext(ctx, "validate: ID token refused", slog.String("reason", err.Error()))
		return Person{}, ErrRefused
	}
	var claims map[string]any
	if err := tok.Claims(&claims); err != nil {
		return Person{}, ErrRefused
	}
	if now.Add(-ClockSkew).After(tok.Expiry) || tok.Expiry.IsZero() {
		return Person{}, ErrExpired
	}
	if nbf, ok := claims["nbf"].(float64); ok && now.Add(ClockSkew).Before(time.Unix(int64(nbf), 0)) {
		return Person{}, ErrRefused
	}
	if !authorizedParty(tok.Audience, claims["azp"], v.cfg.Audience) {
		v.log.InfoContext(ctx, "validate: ID token's azp is not this client", slog.Int("audiences", len(tok.Audience)))
		return Person{}, ErrRefused
	}
	// An address names a person only once the provider has verified it;
	// unverified, anyone could claim anyone's
	// (https://openid.net/specs/openid-connect-core-1_0.html#StandardClaims).
	if (v.cfg.OwnerClaim == "email" || v.cfg.AdminClaim == "email") && claims["email_verified"] != true {
		v.log.InfoContext(ctx, "validate: ID token's email is not verified")
		return Person{}, ErrRefused
	}
	owner, _ := claims[v.cfg.OwnerClaim].(string)
	admin := v.cfg.AdminClaim != "" && holds(v.cfg.AdminClaim, claims[v.cfg.AdminClaim], v.cfg.AdminValue)
	return Person{Owner: owner, Admin: admin, Expires: tok.Expiry}, nil
}
