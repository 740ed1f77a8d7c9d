package validate

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/keymint/keymint/shared/clock"
	"github.com/keymint/keymint/shared/policy"
	"github.com/keymint/keymint/shared/signin"
	"github.com/keymint/keymint/shared/store"
)

// person is who a verified ID token names, and what it may do on the
// management API.
type person struct {
	owner   string
	admin   bool
	scopes  []string // effective
	expires int64    // the ID token's exp, unix seconds
}

// clockSkew is how far the issuer's clock may be from Lambda's when exp
// and nbf are judged: both are set by the issuer's clock.
const clockSkew = 30 * time.Second

// maxIDToken bounds a presented ID token; real ones are a few KB.
const maxIDToken = 16 << 10

// discoveryRetry is how long validate waits after a failed discovery before
// trying again: requests in between are refused at once (fail closed)
// instead of each waiting on a provider that is down.
const discoveryRetry = 10 * time.Second

// people verifies ID tokens from the configured issuer (docs/signin.md).
type people struct {
	cfg    signin.OIDC
	cat    *policy.Catalogue
	clock  clock.Clock
	client *http.Client
	log    *slog.Logger

	mu       sync.Mutex
	verifier *oidc.IDTokenVerifier
	retryAt  time.Time
	lastErr  error
}

func newPeople(cfg signin.OIDC, cat *policy.Catalogue, clk clock.Clock, log *slog.Logger) *people {
	if !cfg.On() {
		return nil
	}
	return &people{cfg: cfg, cat: cat, clock: clk, log: log, client: &http.Client{Timeout: 5 * time.Second}}
}

// errDiscovery marks a failure to read the issuer's discovery document: a
// fault (nothing can be verified), answered as one.
var errDiscovery = errors.New("OpenID provider discovery failed")

// verifierFor discovers the issuer on first use: at init it would put a
// provider's round trip into every cold start, whether a person signs in
// or not. go-oidc checks the document names the configured issuer.
func (p *people) verifierFor(ctx context.Context) (*oidc.IDTokenVerifier, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.verifier != nil {
		return p.verifier, nil
	}
	if p.clock.Now().Before(p.retryAt) {
		return nil, fmt.Errorf("%w (retrying after %s): %w", errDiscovery, p.retryAt.Format(time.RFC3339), p.lastErr)
	}
	prov, err := oidc.NewProvider(oidc.ClientContext(ctx, p.client), p.cfg.Issuer)
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
		p.retryAt, p.lastErr = p.clock.Now().Add(discoveryRetry), err
		return nil, fmt.Errorf("%w: %w", errDiscovery, err)
	}
	algs := make([]string, len(signingAlgs))
	for i, a := range signingAlgs {
		algs[i] = string(a)
	}
	// Expiry is judged below, with the skew allowance, from the same clock
	// as everything else validate decides.
	p.verifier = oidc.NewVerifier(p.cfg.Issuer, &keySet{url: meta.JWKSURI, client: p.client, clock: p.clock},
		&oidc.Config{ClientID: p.cfg.Audience, SupportedSigningAlgs: algs, SkipExpiryCheck: true})
	return p.verifier, nil
}

// verify checks an ID token: signature by the issuer's keys with an allowed
// algorithm, iss, aud, exp and nbf. A bad token is a status; an error means
// it could not be checked (the provider's documents unavailable).
func (p *people) verify(ctx context.Context, raw string, now time.Time) (*person, Status, error) {
	v, err := p.verifierFor(ctx)
	if err != nil {
		return nil, "", err
	}
	slot := &faultSlot{}
	tok, err := v.Verify(context.WithValue(ctx, faultKey{}, slot), raw)
	if slot.err != nil {
		return nil, "", slot.err
	}
	if err != nil {
		p.log.InfoContext(ctx, "validate: ID token refused", slog.String("reason", err.Error()))
		return nil, InvalidIDToken, nil
	}
	var claims map[string]any
	if err := tok.Claims(&claims); err != nil {
		return nil, InvalidIDToken, nil
	}
	if now.Add(-clockSkew).After(tok.Expiry) || tok.Expiry.IsZero() {
		return nil, Expired, nil
	}
	if nbf, ok := claims["nbf"].(float64); ok && now.Add(clockSkew).Before(time.Unix(int64(nbf), 0)) {
		return nil, InvalidIDToken, nil
	}
	if !authorizedParty(tok.Audience, claims["azp"], p.cfg.Audience) {
		p.log.InfoContext(ctx, "validate: ID token's azp is not this client", slog.Int("audiences", len(tok.Audience)))
		return nil, InvalidIDToken, nil
	}
	// An address names a person only once the provider has verified it;
	// unverified, anyone could claim anyone's
	// (https://openid.net/specs/openid-connect-core-1_0.html#StandardClaims).
	if (p.cfg.OwnerClaim == "email" || p.cfg.AdminClaim == "email") && claims["email_verified"] != true {
		p.log.InfoContext(ctx, "validate: ID token's email is not verified")
		return nil, InvalidIDToken, nil
	}
	owner, _ := claims[p.cfg.OwnerClaim].(string)
	if !store.ValidOwner(owner) {
		p.log.InfoContext(ctx, "validate: ID token's owner claim is missing or not a valid owner", slog.String("claim", p.cfg.OwnerClaim))
		return nil, InvalidIDToken, nil
	}
	admin := p.cfg.AdminClaim != "" && holds(p.cfg.AdminClaim, claims[p.cfg.AdminClaim], p.cfg.AdminValue)
	scopes := slices.Clone(p.cfg.Scopes)
	if admin {
		scopes = append(scopes, p.cfg.AdminScopes...)
	}
	return &person{owner: owner, admin: admin, scopes: p.cat.Effective(scopes), expires: tok.Expiry.Unix()}, Valid, nil
}

// authorizedParty applies OpenID Connect Core 1.0 §3.1.3.7 items 4 and 5
// (https://openid.net/specs/openid-connect-core-1_0.html#IDTokenValidation):
// a token for several audiences must name the party it was issued to (azp),
// and an azp, when present, must be this client. Without it, a token issued
// to another client that merely lists keymint among its audiences would sign
// its holder in here.
func authorizedParty(aud []string, azp any, client string) bool {
	if azp == nil {
		return len(aud) <= 1
	}
	s, ok := azp.(string)
	return ok && s == client
}

// spaceSeparated reports a claim whose string value is defined as a
// space-separated list: scope (RFC 8693 §4.2,
// https://www.rfc-editor.org/rfc/rfc8693#section-4.2). Any other string
// claim is one value, so an address with a space in it names nobody else.
func spaceSeparated(claim string) bool { return claim == "scope" }

// holds reports a claim is value, or a list (JSON array: groups, roles)
// holding it, or, for a space-separated claim, a string listing it.
func holds(name string, claim any, value string) bool {
	switch c := claim.(type) {
	case string:
		if spaceSeparated(name) {
			return slices.Contains(strings.Split(c, " "), value)
		}
		return c == value
	case []any:
		for _, v := range c {
			if s, ok := v.(string); ok && s == value {
				return true
			}
		}
	}
	return false
}

// looksLikeJWT: three base64url parts, the JWS compact form
// (https://www.rfc-editor.org/rfc/rfc7515#section-7.1). A keymint token has
// underscores but no dots, so the two never mix.
func looksLikeJWT(s string) bool {
	return strings.Count(s, ".") == 2 && len(s) <= maxIDToken
}

// CheckPerson decides for an ID token on the management API. Its verdict is
// cached like a token's, for no longer than the ID token lives.
func (v *Validator) CheckPerson(ctx context.Context, req Request) (Decision, error) {
	if v.people == nil || !looksLikeJWT(req.Token) {
		return Decision{Status: Malformed}, nil
	}
	now := v.clock.Now()
	k := v.cache.keyOf(req.Token)
	e := v.cache.get(k, now.UnixNano())
	if e == nil {
		var err error
		if e, err = v.lookupPerson(ctx, req.Token, now); err != nil {
			return Decision{}, err
		}
		v.cache.put(k, e, now.UnixNano())
	}
	d := Decision{Status: e.status, e: e}
	if e.status != Valid {
		return d, nil
	}
	p := e.person
	switch {
	case now.Add(-clockSkew).Unix() >= p.expires:
		d.Status = Expired
	case req.Method != "" && !v.cat.AllowsFor(p.scopes, "", req.Method, req.Path):
		d.Status = ScopeDenied
	}
	return d, nil
}

// lookupPerson verifies the ID token, then reads its owner: a disabled
// owner's people are refused as its tokens are.
func (v *Validator) lookupPerson(ctx context.Context, raw string, now time.Time) (*entry, error) {
	ctx, cancel := clock.WithMargin(ctx, v.margin)
	defer cancel()
	p, st, err := v.people.verify(ctx, raw, now)
	if err != nil {
		return nil, fmt.Errorf("validate: %w", err)
	}
	if st != Valid {
		return &entry{status: st}, nil
	}
	o, err := v.store.Owner(ctx, p.owner)
	if err != nil {
		return nil, fmt.Errorf("validate: %w", err)
	}
	if o.Kind == store.OwnerOfOperator {
		// People's owners and operators' are kept apart (docs/signin.md,
		// "Owner"): a subject named like an operator-made owner, admin
		// included, is nobody here.
		v.log.InfoContext(ctx, "validate: ID token's owner was made by an operator", slog.String("claim", v.people.cfg.OwnerClaim))
		return &entry{status: InvalidIDToken}, nil
	}
	if o.Status == store.OwnerDisabled {
		return &entry{status: OwnerDisabled, person: p}, nil
	}
	return &entry{status: Valid, person: p}, nil
}
