package manage

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/keymint/keymint/shared/lifecycle"
	"github.com/keymint/keymint/shared/plan"
	"github.com/keymint/keymint/shared/policy"
	"github.com/keymint/keymint/shared/store"
)

// planOf is the plan an owner (or a token, which carries its owner's) is
// on. A plan the catalogue no longer holds refuses: an admin must move the
// owner first, and nothing is granted meanwhile.
func (s *Service) planOf(name string) (*plan.Plan, error) {
	p, err := s.plans.Of(name)
	if err != nil {
		return nil, forbidden(fmt.Sprintf("the owner's plan %q is not offered any more; an admin must move the owner to another plan", name))
	}
	return p, nil
}

// entitled refuses a new token's scopes when its owner's plan does not
// grant one of them. Only issue and copy make a scope set; edit may only
// shrink one and regenerate keeps it, so after a downgrade a token keeps
// its stored scopes (validate narrows them to the plan) and gets them back
// on an upgrade.
func entitled(p *plan.Plan, scopes []string) error {
	if sc := p.Outside(scopes); sc != "" {
		return forbidden(fmt.Sprintf("the owner's plan %q does not grant %s; an admin can move the owner to a plan that does", p.Name, sc))
	}
	return nil
}

// lifetimeWithin bounds a token's lifetime (seconds) by its plan's longest.
// asked says the caller named the expiry: then a longer one is refused,
// field naming what it sent; otherwise (the default, a copy's or a
// regenerate's inherited length) it is shortened to the plan's.
func lifetimeWithin(p *plan.Plan, lifetime int64, asked bool, field string) (int64, error) {
	if p.MaxLifetime <= 0 {
		return lifetime, nil
	}
	most := int64(p.MaxLifetime / time.Second)
	if lifetime <= most {
		return lifetime, nil
	}
	if asked {
		return 0, invalid(field, "the owner's plan %q allows tokens of at most %d days", p.Name, int(p.MaxLifetime/(24*time.Hour)))
	}
	return most, nil
}

// authority is the caller as its plan widens it: a signed-in person may
// grant, and act on tokens holding, the API scopes of their owner's plan,
// on top of the management scopes every person gets (OIDC_SCOPES). Tokens
// hold what they were given (validate already narrowed them to the plan);
// without plans nothing changes.
func (s *Service) authority(ctx context.Context, caller Caller) (Caller, error) {
	if !caller.Person || caller.planned || !s.plans.Configured() {
		return caller, nil
	}
	o, err := s.store.Owner(ctx, caller.Owner)
	if err != nil {
		return caller, err
	}
	caller.planned = true
	p, err := s.plans.Of(o.Plan)
	if err != nil {
		return caller, nil // a plan no longer offered grants nothing
	}
	scopes := slices.Concat(caller.Scopes, p.Scopes)
	slices.Sort(scopes)
	caller.Scopes = slices.Compact(scopes)
	return caller, nil
}

// Authority is the caller with what its plan lets it grant (see
// authority): what whoami shows a signed-in person.
func (s *Service) Authority(ctx context.Context, caller Caller) (Caller, error) {
	return s.authority(ctx, caller)
}

// liveLimit refuses a create that would give the owner more live tokens
// than its plan allows (active or inactive; not those the same create
// revokes, replaced). The count is read from GSI1; the create then carries the
// owner's Issued as read, so of two creates counted on the same reading
// only one commits and the other counts again. What remains is GSI1's
// lag: a token created moments before may not be counted yet, so creates
// for one owner landing within that lag (AWS: usually a fraction of a
// second) can pass one over the limit.
func (s *Service) liveLimit(ctx context.Context, p *plan.Plan, o *store.Owner, replaced []*store.Record, c *store.Change) error {
	if p.MaxLiveTokens == 0 {
		return nil
	}
	toks, err := s.store.LiveTokens(ctx, o.Owner)
	if err != nil {
		return err
	}
	now, live := s.clock.Now(), 0
	for _, t := range toks {
		st := s.rules.Status(t.Times(), now)
		gone := slices.ContainsFunc(replaced, func(r *store.Record) bool { return r.ID == t.ID })
		if !gone && (st == lifecycle.StatusActive || st == lifecycle.StatusInactive) {
			live++
		}
	}
	if live >= p.MaxLiveTokens {
		return conflict(fmt.Sprintf("%s has %d live tokens, the most the plan %q allows; revoke one first", o.Owner, live, p.Name))
	}
	seq := o.Issued
	c.IssueSeq = &seq
	return nil
}

// ownerPlan reads owner's item and the plan it is on, with the overrides
// an admin set for it.
func (s *Service) ownerPlan(ctx context.Context, owner string) (*store.Owner, *plan.Plan, error) {
	o, err := s.store.Owner(ctx, owner)
	if err != nil {
		return nil, nil, err
	}
	p, err := s.planOf(o.Plan)
	if err != nil {
		return nil, nil, err
	}
	return o, p.With(overridesOf(o)), nil
}

// overridesOf is what the owner item overrides of its plan. A quota it
// holds was checked when written; one that no longer reads is ignored
// (the plan's applies) rather than refusing the owner's every write.
func overridesOf(o *store.Owner) plan.Overrides {
	ov := plan.Overrides{MaxLiveTokens: o.MaxLiveTokens, MaxLifetimeDays: o.MaxLifetimeDays}
	if o.Quota != "" {
		if q, err := plan.ParseQuota(o.Quota); err == nil {
			ov.Quota = q
		}
	}
	return ov
}

// ScopesOutsidePlan are t's scopes its plan (as copied onto it) does not
// grant: every API scope when the plan is no longer offered; none without
// plans.
func (s *Service) ScopesOutsidePlan(t *store.Record) []string {
	p, err := s.plans.Of(t.Plan)
	if err != nil {
		return slices.DeleteFunc(slices.Clone(t.Scopes), policy.Management)
	}
	within := p.Within(t.Scopes)
	if len(within) == len(t.Scopes) {
		return nil
	}
	return slices.DeleteFunc(slices.Clone(t.Scopes), func(sc string) bool { return slices.Contains(within, sc) })
}

// Plans is the deployment's plan catalogue.
func (s *Service) Plans() *plan.Catalogue { return s.plans }

// OwnerPolicyView is what an owner's policy means for its tokens: whether
// issuing revokes the others, and the plan it is on by name.
type OwnerPolicyView struct {
	SingleToken bool
	Plan        string
}

// OwnerPolicyOf is owner's policy as it applies (the deployment's
// SINGLE_TOKEN_PER_OWNER and DEFAULT_PLAN included), for whoami.
func (s *Service) OwnerPolicyOf(ctx context.Context, owner string) (OwnerPolicyView, error) {
	o, err := s.store.Owner(ctx, owner)
	if err != nil {
		return OwnerPolicyView{}, err
	}
	return OwnerPolicyView{SingleToken: s.single || o.SingleToken, Plan: s.plans.Name(o.Plan)}, nil
}
