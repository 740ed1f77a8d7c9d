package manage

import (
	"context"
	"errors"
	"sync"

	"github.com/keymint/keymint/shared/store"
)

// OwnerSummary is an owner as admins see it: its status and policy, and
// what its tokens add up to.
type OwnerSummary struct {
	store.Owner
	store.OwnerStats
	// PlanName is the plan the owner is on: its own, or the default.
	PlanName string
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
			out[i], errs[i] = OwnerSummary{Owner: owners[i], OwnerStats: st, PlanName: s.plans.Name(owners[i].Plan)}, err
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, "", err
	}
	return out, next, nil
}
