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
	"github.com/keymint/keymint/shared/keyring"
	"github.com/keymint/keymint/shared/lifecycle"
	"github.com/keymint/keymint/shared/plan"
	"github.com/keymint/keymint/shared/policy"
	"github.com/keymint/keymint/shared/signin"
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
	margin   time.Duration
	cache    *cache
	usage    *usage
	// later and afterAnswer: usage writes that wait for the answer to go
	// out (afterAnswer nil, or reporting false: written before it).
	later       *later
	afterAnswer func() bool
	// absent and retries bound what unknown ids cost (absent.go).
	absent  *absent
	retries *retryBudget
	people  *people // nil: sign-in off
	plans   *plan.Catalogue
	quotas  *quotas
	log     *slog.Logger
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
	// OIDC accepts signed-in people's ID tokens on the management API.
	OIDC signin.OIDC
	// Plans narrow a token's scopes to its owner's plan; nil is plan.None.
	Plans *plan.Catalogue
}

// NewValidator builds a Validator with its decision cache.
func NewValidator(st *store.Store, keys Verifier, cat *policy.Catalogue, clk clock.Clock, o Options, log *slog.Logger) *Validator {
	plans := o.Plans
	if plans == nil {
		plans = plan.None()
	}
	return &Validator{
		plans:  plans,
		quotas: newQuotas(o.CacheMaxEntries),
		store:  st, keys: keys, cat: cat, clock: clk, prefix: o.TokenPrefix,
		rules: o.Rules, interval: o.LastUsedInterval,
		margin:  decisionMargin,
		cache:   newCache(o.CacheTTL, o.CacheMaxEntries),
		usage:   newUsage(o.CacheMaxEntries),
		later:   newLater(max(o.CacheMaxEntries, 1)),
		absent:  newAbsent(),
		retries: newRetryBudget(),
		people:  newPeople(o.OIDC, cat, clk, log),
		log:     log,
	}
}

// Request is what one authorization asks: a token, and optionally the
// route being called and the caller's address.
type Request struct {
	Token  string
	Method string // "" skips the route check
	// Path is the request's path as text, for logs; it is what the route
	// check reads (as policy.Raw) only when Route is unset.
	Path string
	// Route is the path as API Gateway routed it (policy.Routed, or
	// policy.Raw where no route is named): the event readers set it.
	Route    policy.Path
	SourceIP string // "" or junk: unknown
}

// Decision is the outcome; Token, the token's stored record, is set
// whenever the token was recognised.
// Token is shared with the cache: read it, never write it.
type Decision struct {
	Status Status
	Token  *store.Record
	e      *entry
}

// decisionMargin: validate gives up on the table this long before its
// deadline and refuses, rather than let Lambda's timeout answer for it.
const decisionMargin = 500 * time.Millisecond

// Check decides. An error means a store or keyring failure: the caller
// must refuse (fail closed), never allow. A cache hit allocates nothing.
func (v *Validator) Check(ctx context.Context, req Request) (Decision, error) {
	if len(req.Token) > token.MaxLen {
		return Decision{Status: Malformed}, nil
	}
	now := v.clock.Now()
	// Entries are made only for strings that parsed, so a hit is one, and
	// is not parsed again.
	k := v.cache.keyOf(req.Token)
	e := v.cache.get(k, now.UnixNano())
	if e == nil {
		parsed, err := token.Parse(req.Token, v.prefix)
		if err != nil {
			return Decision{Status: Malformed}, nil
		}
		if e, err = v.lookup(ctx, parsed, now); err != nil {
			return Decision{}, err
		}
		v.cache.put(k, e, now.UnixNano())
	}
	d := Decision{Status: e.status, Token: e.item, e: e}
	if e.status != Valid {
		return d, nil
	}
	t := e.item
	addr, _ := sourceAddr(req.SourceIP)
	if d.Status = v.tokenState(t, now); d.Status != Valid {
		return d, nil
	}
	if d.Status = e.checkIP(addr, req.SourceIP); d.Status != Valid {
		return d, nil
	}
	if req.Method != "" && !req.routeAllowed(v.cat, t.Scopes, t.ID) {
		d.Status = ScopeDenied
		return d, nil
	}
	metered := e.quota != nil && req.Method != "" && req.usesAPI(v.cat, e.apiScopes)
	if metered && v.quotas.exceeded(t.Owner, now) {
		d.Status = QuotaExceeded
		return d, nil
	}
	v.used(ctx, e, addr, now, metered)
	return d, nil
}

// lookup reads the token and checks its secret. Reads are eventually
// consistent by default; a miss is retried strongly consistent once, so a
// token used right after issue is not refused by a lagging replica, within
// the bounds absent.go sets on what unknown ids may cost.
func (v *Validator) lookup(ctx context.Context, parsed token.Token, now time.Time) (*entry, error) {
	ctx, cancel := clock.WithMargin(ctx, v.margin)
	defer cancel()
	if v.absent.known(parsed.ID, now) {
		return newEntry(NotFound, nil), nil
	}
	t, err := v.store.Record(ctx, parsed.ID, store.Eventual)
	if errors.Is(err, store.ErrNotFound) {
		if !v.retries.take(now) {
			return newEntry(NotFound, nil), nil
		}
		if t, err = v.store.Record(ctx, parsed.ID, store.Consistent); errors.Is(err, store.ErrNotFound) {
			v.absent.add(parsed.ID, now)
		}
	}
	if errors.Is(err, store.ErrNotFound) {
		return newEntry(NotFound, nil), nil
	}
	if err != nil {
		return nil, fmt.Errorf("validate: %w", err)
	}
	var quota *plan.Quota
	t.Scopes, quota = v.withinPlan(t)
	var planName string
	if v.plans.Configured() {
		planName = v.plans.Name(t.Plan)
	}
	ok, err := v.keys.Verify(ctx, t.KeyID, parsed.Secret, t.SecretHash)
	if errors.Is(err, keyring.ErrUnknownKey) {
		return newEntry(UnknownKey, t), nil
	}
	if err != nil {
		return nil, fmt.Errorf("validate: %w", err)
	}
	if !ok && len(t.PrevSecretHash) > 0 && now.Unix() < t.PrevValidUntil {
		ok, err = v.keys.Verify(ctx, t.PrevKeyID, parsed.Secret, t.PrevSecretHash)
		if errors.Is(err, keyring.ErrUnknownKey) {
			ok, err = false, nil // the grace secret's key is retired: only the new secret can match
		}
		if err != nil {
			return nil, fmt.Errorf("validate: %w", err)
		}
		if ok {
			// The grace secret is only good until prevValidUntil; the
			// entry's item says so, and tokenState re-checks it on every hit.
			t = withGrace(t)
		}
	}
	if !ok {
		return newEntry(BadSecret, t), nil
	}
	e := newEntry(Valid, t)
	e.use = v.usage.of(t)
	e.plan = planName
	if quota != nil {
		e.quota = quota
		e.apiScopes = slices.DeleteFunc(slices.Clone(t.Scopes), policy.Management)
	}
	return e, nil
}

// withinPlan is the token's effective scopes: those its owner's plan
// grants (the plan copied onto the item, so no second read), and the
// plan's quota, if it has one. The item is
// this lookup's own, not yet shared with the cache, so its scopes may be
// replaced. A plan the catalogue no longer holds grants no API scope: fail
// closed.
func (v *Validator) withinPlan(t *store.Record) ([]string, *plan.Quota) {
	p, err := v.plans.Of(t.Plan)
	if err != nil {
		return slices.DeleteFunc(slices.Clone(t.Scopes), func(s string) bool { return !policy.Management(s) }), nil
	}
	quota := p.Quota
	if t.Quota != "" {
		// The owner's own quota, copied onto the token as its plan is.
		if q, err := plan.ParseQuota(t.Quota); err == nil {
			quota = q
		}
	}
	return p.Within(t.Scopes), quota
}

// withGrace marks an item as matched by its previous secret: its validity
// ends at prevValidUntil (or expiresAt, if sooner).
func withGrace(t *store.Record) *store.Record {
	g := *t
	g.ExpiresAt = min(t.ExpiresAt, t.PrevValidUntil)
	return &g
}

// tokenState applies the token-level rules, from the item and the clock:
// expiry and inactivity are judged here, whether or not the sweeper or TTL
// has acted yet.
func (v *Validator) tokenState(t *store.Record, now time.Time) Status {
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
func (e *entry) checkIP(addr netip.Addr, sourceIP string) Status {
	if len(e.blocked) == 0 && !e.allowList {
		return Valid
	}
	switch {
	case !addr.IsValid() && sourceIP != "" && !e.allowList:
		return IPBlocked
	case !addr.IsValid() && e.allowList:
		return IPNotAllowed
	case !addr.IsValid():
		return Valid
	}
	if slices.Contains(e.blocked, addr) {
		return IPBlocked
	}
	if !e.allowList {
		return Valid
	}
	for _, p := range e.allow {
		if p.Contains(addr) {
			return Valid
		}
	}
	return IPNotAllowed
}

// sourceAddr is the caller's address in the form blocks and the usage log
// store: zone dropped, IPv4-mapped IPv6 unmapped.
func sourceAddr(s string) (netip.Addr, bool) {
	if s == "" {
		return netip.Addr{}, false // and no parse error to allocate
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}, false
	}
	return a.WithZone("").Unmap(), true
}
