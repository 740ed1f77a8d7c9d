package manage

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/keymint/keymint/shared/audit"
	"github.com/keymint/keymint/shared/clock"
	"github.com/keymint/keymint/shared/lifecycle"
	"github.com/keymint/keymint/shared/plan"
	"github.com/keymint/keymint/shared/policy"
	"github.com/keymint/keymint/shared/store"
	"github.com/keymint/keymint/shared/token"
)

// Hasher keys token secrets (the keyring).
type Hasher interface {
	Hash(ctx context.Context, secret string) (keyID string, sum []byte, err error)
}

// Service runs management operations.
type Service struct {
	store  *store.Store
	keys   Hasher
	cat    *policy.Catalogue
	plans  *plan.Catalogue
	clock  clock.Clock
	prefix string
	single bool
	rules  lifecycle.Rules
	// regenerateExpired: regenerate may give an expired token a new secret.
	regenerateExpired bool
	// usageKeys moves owners' API Gateway API keys; nil: none are managed.
	usageKeys UsageKeys

	stampMu   sync.Mutex
	lastStamp time.Time
}

// Options are the deployment's choices a Service follows.
type Options struct {
	TokenPrefix string
	Rules       lifecycle.Rules
	// SingleToken: issuing revokes the owner's other live tokens.
	SingleToken bool
	// RegenerateExpired: regenerate may give an expired token a new secret.
	RegenerateExpired bool
	// Plans are the customers' plans; nil is plan.None (no plans).
	Plans *plan.Catalogue
	// UsageKeys gives owners whose plan names a usage plan an API Gateway
	// API key in it; nil (functions that move no owner, tests) leaves
	// owners' keys as they are.
	UsageKeys UsageKeys
}

// New builds a Service.
func New(st *store.Store, keys Hasher, cat *policy.Catalogue, clk clock.Clock, o Options) *Service {
	plans := o.Plans
	if plans == nil {
		plans = plan.None()
	}
	return &Service{
		store: st, keys: keys, cat: cat, plans: plans, clock: clk,
		prefix: o.TokenPrefix, single: o.SingleToken, rules: o.Rules,
		regenerateExpired: o.RegenerateExpired, usageKeys: o.UsageKeys,
	}
}

// Rules are the lifecycle rules the service judges tokens by.
func (s *Service) Rules() lifecycle.Rules { return s.rules }

// Issued is a token with its plaintext, which exists only in this value.
type Issued struct {
	Token     *store.Record
	Plaintext string
	// Replaced are the owner's other tokens the same transaction revoked
	// under the single-token policy, as they are now (revoked); none
	// otherwise. Regenerate replaces nothing.
	Replaced []*store.Record
}

// retries bounds optimistic-lock retries; contention on one token is rare
// (validate's usage writes are the usual cause) and clears quickly.
const retries = 5

func (s *Service) now() time.Time { return s.clock.Now().Truncate(time.Second) }

// event stamps the audit record with the clock's full precision, so events
// of one token sort in the order they were written.
func (s *Service) event(caller Caller, tokenID string, action audit.Action, details map[string]any) *audit.Event {
	return &audit.Event{TokenID: tokenID, At: s.stamp(), Action: action, Actor: caller.Actor(), SourceIP: caller.SourceIP, Details: details}
}

// stamp is the clock's time, nudged forward past the last stamp this
// Service gave out: the audit sort key holds the time, and two events of one
// subject and action at the same instant would otherwise collide.
func (s *Service) stamp() time.Time {
	s.stampMu.Lock()
	defer s.stampMu.Unlock()
	now := s.clock.Now()
	if !now.After(s.lastStamp) {
		now = s.lastStamp.Add(time.Nanosecond)
	}
	s.lastStamp = now
	return now
}

// newSecret makes a fresh token and its keyed hash.
func (s *Service) newSecret(ctx context.Context, id string) (token.Token, string, []byte, error) {
	tok, err := token.Generate(s.prefix)
	if err != nil {
		return token.Token{}, "", nil, fmt.Errorf("manage: generate token: %w", err)
	}
	if id != "" {
		tok.ID = id
	}
	keyID, sum, err := s.keys.Hash(ctx, tok.Secret)
	if err != nil {
		return token.Token{}, "", nil, fmt.Errorf("manage: hash secret: %w", err)
	}
	return tok, keyID, sum, nil
}

// visible loads a token the caller may see. Another owner's token is
// reported as not found, so ids cannot be probed.
func (s *Service) visible(ctx context.Context, caller Caller, id string) (*store.Record, error) {
	if !token.ValidID(id) {
		return nil, ErrNotFound
	}
	t, err := s.store.Record(ctx, id, store.Consistent)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	if t.Owner != caller.Owner && !caller.Admin() {
		return nil, ErrNotFound
	}
	// Past expiresTTL the item is DynamoDB's to delete at any moment; it is
	// gone for readers already, as it is from lists.
	if t.ExpiresTTL != 0 && t.ExpiresTTL <= s.now().Unix() {
		return nil, ErrNotFound
	}
	return t, nil
}

// storeOutcome maps the store's conditional-write outcomes to ours.
func storeOutcome(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, store.ErrNameTaken):
		return conflict("a live token of this owner already has that name")
	case errors.Is(err, store.ErrOwnerDisabled):
		return ErrOwnerDisabled
	case errors.Is(err, store.ErrTooManyChanges):
		return conflict("too many tokens to change in one step")
	case errors.Is(err, store.ErrConflict):
		return conflict("changed concurrently; read it again and retry")
	}
	return err
}

// onRace is what mutate does when another write got to the token first.
type onRace int

const (
	// reapplyOnRace re-reads the token and applies the change again.
	reapplyOnRace onRace = iota
	// conflictOnRace gives up with a conflict once the token's version has
	// moved, so two racing calls cannot both succeed (regenerate).
	conflictOnRace
)

// mutate applies fn to a fresh copy of the token and writes it with its
// audit event; race says what to do when another write got there first.
func (s *Service) mutate(ctx context.Context, caller Caller, id string, action audit.Action, race onRace,
	fn func(t *store.Record, now time.Time) (map[string]any, error)) (*store.Record, error) {
	if caller.RevokeOnly && (action != audit.Revoke || id != caller.TokenID) {
		return nil, forbidden("this token may only revoke itself")
	}
	var firstVersion int64
	for attempt := 0; attempt < retries; attempt++ {
		before, err := s.actOn(ctx, caller, id)
		if err != nil {
			return nil, err
		}
		if attempt == 0 {
			firstVersion = before.Version
		} else if race == conflictOnRace && before.Version != firstVersion {
			return nil, conflict("the token was changed concurrently; read it again and retry")
		}
		now := s.now()
		after := before.Clone()
		details, err := fn(after, now)
		if err != nil {
			return nil, err
		}
		if details == nil { // nothing to change: idempotent success
			return before, nil
		}
		after.UpdatedAt = now.Unix()
		err = s.store.Apply(ctx, now, store.Change{Before: before, After: after, Event: s.event(caller, id, action, details)})
		if errors.Is(err, store.ErrConflict) {
			continue
		}
		if err != nil {
			return nil, storeOutcome(err)
		}
		return after, nil
	}
	return nil, conflict("the token is being changed concurrently; retry")
}
