package manage

import (
	"context"
	"errors"
	"sync"

	"github.com/keymint/keymint/shared/audit"
	"github.com/keymint/keymint/shared/store"
)

// OwnerSummary is an owner as admins see it: its status and policy, and
// what its tokens add up to.
type OwnerSummary struct {
	store.Owner
	store.OwnerStats
}

// Owners lists owners in name order (admins only), each with its live
// token count and last use.
func (s *Service) Owners(ctx context.Context, caller Caller, limit int32, cursor string) ([]OwnerSummary, string, error) {
	if !caller.Admin() {
		return nil, "", forbidden("listing owners needs tokens:admin")
	}
	owners, next, err := s.store.Owners(ctx, limit, cursor)
	if err != nil {
		return nil, "", err
	}
	out := make([]OwnerSummary, len(owners))
	errs := make([]error, len(owners))
	sem := make(chan struct{}, bulkWorkers)
	var wg sync.WaitGroup
	now := s.clock.Now()
	for i := range owners {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			st, err := s.store.OwnerStats(ctx, owners[i].Owner, now)
			out[i], errs[i] = OwnerSummary{Owner: owners[i], OwnerStats: st}, err
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, "", err
	}
	return out, next, nil
}

// OwnerInfo is one owner (admins only); ErrOwnerNotFound when no owner item
// exists.
func (s *Service) OwnerInfo(ctx context.Context, caller Caller, owner string) (*OwnerSummary, error) {
	if !caller.Admin() {
		return nil, forbidden("reading an owner needs tokens:admin")
	}
	if err := CheckOwner(owner); err != nil {
		return nil, err
	}
	o, err := s.store.Owner(ctx, owner)
	if err != nil {
		return nil, err
	}
	if !o.Found {
		return nil, ErrOwnerNotFound
	}
	st, err := s.store.OwnerStats(ctx, owner, s.clock.Now())
	if err != nil {
		return nil, err
	}
	return &OwnerSummary{Owner: *o, OwnerStats: st}, nil
}

// OwnerPolicy is what an admin may set for one owner.
type OwnerPolicy struct {
	// SingleToken: issuing a token for the owner revokes its other live
	// tokens (as SINGLE_TOKEN_PER_OWNER does for every owner).
	SingleToken bool
}

// SetOwnerPolicy sets an owner's policy (admins only), with its audit event.
func (s *Service) SetOwnerPolicy(ctx context.Context, caller Caller, owner string, p OwnerPolicy) (*OwnerSummary, error) {
	if !caller.Admin() {
		return nil, forbidden("setting an owner's policy needs tokens:admin")
	}
	if err := CheckOwner(owner); err != nil {
		return nil, err
	}
	for attempt := 0; ; attempt++ {
		o, err := s.store.Owner(ctx, owner)
		if err != nil {
			return nil, err
		}
		if o.Found && o.SingleToken == p.SingleToken {
			break
		}
		ev := audit.Event{Owner: owner, At: s.stamp(), Action: audit.OwnerPolicy, Actor: caller.Actor(), SourceIP: caller.SourceIP,
			Details: map[string]any{"singleToken": p.SingleToken}}
		_, err = s.store.SetOwnerPolicy(ctx, o, p.SingleToken, ev)
		if errors.Is(err, store.ErrConflict) && attempt < retries {
			continue
		}
		if err != nil {
			return nil, storeOutcome(err)
		}
		break
	}
	return s.OwnerInfo(ctx, caller, owner)
}

// ownerRefused tells why a new token's owner refused it: disabled, of the
// other kind (a person's owner for an operator, or the reverse), or (with
// enablement required) not enabled yet, in which case the owner is recorded
// as pending so admins see who is waiting.
func (s *Service) ownerRefused(ctx context.Context, owner string) error {
	o, err := s.store.Owner(ctx, owner)
	if err != nil {
		return err
	}
	if o.Status == store.OwnerDisabled {
		return ErrOwnerDisabled
	}
	if o.Kind != "" && (!s.store.RequiresEnablement() || o.Status == store.OwnerActive) {
		// Neither disabled nor waiting: what refused it was the kind.
		return kindRefused(o)
	}
	if !s.store.RequiresEnablement() {
		return ErrOwnerDisabled
	}
	if !o.Found {
		if err := s.store.RequestEnablement(ctx, owner, s.now()); err != nil {
			return err
		}
	}
	return ErrOwnerNotEnabled
}
