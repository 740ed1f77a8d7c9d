package validate

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"slices"
	"time"

	"github.com/keymint/keymint/shared/clock"
	"github.com/keymint/keymint/shared/config"
	"github.com/keymint/keymint/shared/keyring"
	"github.com/keymint/keymint/shared/lifecycle"
	"github.com/keymint/keymint/shared/policy"
	"github.com/keymint/keymint/shared/store"
	"github.com/keymint/keymint/shared/token"
)

// Verifier checks a secret against a stored keyed hash (the keyring).
type Verifier interface {
	Verify(ctx context.Context, keyID, secret string, sum []byte) (bool, error)
}

// Validator decides whether a presented token may make a request.
type Validator struct {
	store    *store.Store
	keys     Verifier
	cat      *policy.Catalogue
	clock    clock.Clock
	prefix   string
	rules    lifecycle.Rules
	interval time.Duration
	cache    *cache
	usage    *usageLog
	log      *slog.Logger
}

// Options are the deployment's choices a Validator follows.
type Options struct {
	TokenPrefix string
	Rules       lifecycle.Rules
	// LastUsedInterval: lastUsedAt and the usage log are written at most
	// this often per token (and IP).
	LastUsedInterval time.Duration
	// CacheTTL and CacheMaxEntries bound the decision cache: how long a
	// revocation may take to bite, and the memory it may take.
	CacheTTL        time.Duration
	CacheMaxEntries int
}

// OptionsFrom picks a Validator's options out of the configuration.
func OptionsFrom(cfg config.Config) Options {
	return Options{TokenPrefix: cfg.TokenPrefix, Rules: lifecycle.FromConfig(cfg), LastUsedInterval: cfg.LastUsedInterval,
		CacheTTL: cfg.CacheTTL, CacheMaxEntries: cfg.CacheMaxEntries}
}

// NewValidator builds a Validator with its decision cache.
func NewValidator(st *store.Store, keys Verifier, cat *policy.Catalogue, clk clock.Clock, o Options, log *slog.Logger) *Validator {
	return &Validator{
		store: st, keys: keys, cat: cat, clock: clk, prefix: o.TokenPrefix,
		rules: o.Rules, interval: o.LastUsedInterval,
		cache: newCache(o.CacheTTL, o.CacheMaxEntries),
		usage: newUsageLog(o.CacheMaxEntries),
		log:   log,
	}
}

// Request is what one authorization asks: a token, and optionally the
// route being called and the caller's address.
type Request struct {
	Token    string
	Method   string // "" skips the route check
	Path     string
	SourceIP string // "" or junk: unknown
}

// Decision is the outcome; Token is set whenever the token was recognised.
type Decision struct {
	Status Status
	Token  *store.Token
}

// Check decides. An error means a store or keyring failure: the caller
// must refuse (fail closed), never allow.
func (v *Validator) Check(ctx context.Context, req Request) (Decision, error) {
	parsed, err := token.Parse(req.Token, v.prefix)
	if err != nil {
		return Decision{Status: Malformed}, nil
	}
	now := v.clock.Now()
	k := cacheKey(req.Token)
	verdict, hit := v.cache.get(k, now)
	if !hit {
		verdict, err = v.lookup(ctx, parsed, now)
		if err != nil {
			return Decision{}, err
		}
		v.cache.put(k, verdict, now)
	}
	if verdict.status != Valid {
		return Decision{Status: verdict.status, Token: verdict.item}, nil
	}
	t := verdict.item
	if st := v.tokenState(t, now); st != Valid {
		return Decision{Status: st, Token: t}, nil
	}
	if st := checkIP(t, req.SourceIP); st != Valid {
		return Decision{Status: st, Token: t}, nil
	}
	if req.Method != "" && !v.cat.AllowsFor(t.Scopes, t.ID, req.Method, req.Path) {
		return Decision{Status: ScopeDenied, Token: t}, nil
	}
	v.recordUse(ctx, k, t, req.SourceIP, now)
	return Decision{Status: Valid, Token: t}, nil
}

// lookup reads the token and checks its secret. Reads are eventually
// consistent by default; a miss is retried strongly consistent once, so a
// token used right after issue is not refused by a lagging replica.
func (v *Validator) lookup(ctx context.Context, parsed token.Token, now time.Time) (tokenVerdict, error) {
	t, err := v.store.Token(ctx, parsed.ID, store.Eventual)
	if errors.Is(err, store.ErrNotFound) {
		t, err = v.store.Token(ctx, parsed.ID, store.Consistent)
	}
	if errors.Is(err, store.ErrNotFound) {
		return tokenVerdict{status: NotFound}, nil
	}
	if err != nil {
		return tokenVerdict{}, fmt.Errorf("validate: %w", err)
	}
	ok, err := v.keys.Verify(ctx, t.KeyID, parsed.Secret, t.SecretHash)
	if errors.Is(err, keyring.ErrUnknownKey) {
		return tokenVerdict{status: UnknownKey, item: t}, nil
	}
	if err != nil {
		return tokenVerdict{}, fmt.Errorf("validate: %w", err)
	}
	if !ok && len(t.PrevSecretHash) > 0 && now.Unix() < t.PrevValidUntil {
		ok, err = v.keys.Verify(ctx, t.PrevKeyID, parsed.Secret, t.PrevSecretHash)
		if errors.Is(err, keyring.ErrUnknownKey) {
			ok, err = false, nil // the grace secret's key is retired: only the new secret can match
		}
		if err != nil {
			return tokenVerdict{}, fmt.Errorf("validate: %w", err)
		}
		if ok {
			// The grace secret is only good until prevValidUntil; cache the
			// item so tokenState re-checks that bound on every hit.
			return tokenVerdict{status: Valid, item: withGrace(t)}, nil
		}
	}
	if !ok {
		return tokenVerdict{status: BadSecret, item: t}, nil
	}
	return tokenVerdict{status: Valid, item: t}, nil
}

// withGrace marks an item as matched by its previous secret: its validity
// ends at prevValidUntil (or expiresAt, if sooner).
func withGrace(t *store.Token) *store.Token {
	g := *t
	g.ExpiresAt = min(t.ExpiresAt, t.PrevValidUntil)
	return &g
}

// tokenState applies the token-level rules, from the item and the clock:
// expiry and inactivity are judged here, whether or not the sweeper or TTL
// has acted yet.
func (v *Validator) tokenState(t *store.Token, now time.Time) Status {
	switch v.rules.Status(t.Times(), now) {
	case lifecycle.StatusRevoked:
		return Revoked
	case lifecycle.StatusExpired:
		return Expired
	case lifecycle.StatusInactive:
		return Inactive
	}
	if t.OwnerDisabled {
		return OwnerDisabled
	}
	return Valid
}

// checkIP applies blocks and allow lists. An absent address (REST TOKEN
// events, direct invokes without sourceIp) passes blocks, which need one to
// match, and fails an allow list. An address that does not parse fails
// both: fail closed. A zone names an interface, not a host, so it is
// dropped before comparing ("2001:db8::1%eth0" is 2001:db8::1).
func checkIP(t *store.Token, sourceIP string) Status {
	if len(t.BlockedIPs) == 0 && len(t.AllowedCIDRs) == 0 {
		return Valid
	}
	addr, ok := sourceAddr(sourceIP)
	switch {
	case !ok && sourceIP != "" && len(t.AllowedCIDRs) == 0:
		return IPBlocked
	case !ok && len(t.AllowedCIDRs) > 0:
		return IPNotAllowed
	case !ok:
		return Valid
	}
	if slices.Contains(t.BlockedIPs, addr.String()) {
		return IPBlocked
	}
	if len(t.AllowedCIDRs) == 0 {
		return Valid
	}
	for _, c := range t.AllowedCIDRs {
		if p, err := netip.ParsePrefix(c); err == nil && p.Contains(addr) {
			return Valid
		}
	}
	return IPNotAllowed
}

// sourceAddr is the caller's address in the form blocks and the usage log
// store: zone dropped, IPv4-mapped IPv6 unmapped.
func sourceAddr(s string) (netip.Addr, bool) {
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}, false
	}
	return a.WithZone("").Unmap(), true
}
