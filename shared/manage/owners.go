package manage

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/keymint/keymint/shared/plan"
	"github.com/keymint/keymint/shared/store"
)

// OwnerSummary is an owner as admins see it: its status and policy, and
// what its tokens add up to.
type OwnerSummary struct {
	store.Owner
	store.OwnerStats
	// PlanName is the plan the owner is on: its own, or the default.
	PlanName string
	// Quota is its plan's, nil when it has none; Use is what the owner's
	// tokens used of it in the current period (as written so far: each
	// authorizer container adds its counts every LAST_USED_INTERVAL).
	Quota *plan.Quota
	Use   QuotaUse
	// Limits is the owner's plan with its overrides (nil: a plan no
	// longer offered).
	Limits *plan.Plan
}

// QuotaUse is an owner's use of its quota in one period.
type QuotaUse struct {
	Period   string
	Used     int64
	ResetsAt time.Time
}

// summary is o as admins see it, its quota's use read for the period now.
func (s *Service) summary(ctx context.Context, o store.Owner, st store.OwnerStats, now time.Time) (OwnerSummary, error) {
	sum := OwnerSummary{Owner: o, OwnerStats: st, PlanName: s.plans.Name(o.Plan)}
	p, err := s.plans.Of(o.Plan)
	// A plan no longer offered has no limits or quota to show.
	if err != nil {
		return sum, nil
	}
	p = p.With(overridesOf(&o))
	sum.Limits = p
	if p.Quota == nil {
		return sum, nil
	}
	period, end := p.Quota.Window(now)
	used, err := s.store.OwnerUse(ctx, o.Owner, period)
	if err != nil {
		return sum, err
	}
	sum.Quota, sum.Use = p.Quota, QuotaUse{Period: period, Used: used, ResetsAt: end}
	return sum, nil
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
			if err != nil {
				errs[i] = err
				return
			}
			out[i], errs[i] = s.summary(ctx, owners[i], st, now)
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, "", err
	}
	return out, next, nil
}
