package manage

import (
	"context"
	"errors"
	"maps"
	"time"

	"github.com/keymint/keymint/shared/audit"
	"github.com/keymint/keymint/shared/lifecycle"
	"github.com/keymint/keymint/shared/plan"
	"github.com/keymint/keymint/shared/store"
)

// OwnerResult is an owner's status after a change, and whether every one of
// its tokens carries it yet.
type OwnerResult struct {
	Owner    string
	Status   string
	Marked   int
	Complete bool
}

// SetOwnerStatus disables or re-enables an owner (admins only). The owner
// item changes first, which stops new tokens at once (issue checks it in its
// transaction); then each token is marked so validate still reads one item.
// Marking stops at deadline; calling again with the same status resumes.
func (s *Service) SetOwnerStatus(ctx context.Context, caller Caller, owner, status string, deadline time.Time) (*OwnerResult, error) {
	if !caller.Admin() {
		return nil, forbidden("changing an owner's status needs tokens:admin")
	}
	if err := CheckOwner(owner); err != nil {
		return nil, err
	}
	// "active" also enables an owner waiting for enablement (pending).
	if status != store.OwnerActive && status != store.OwnerDisabled {
		return nil, invalid("status", "must be %q or %q", store.OwnerActive, store.OwnerDisabled)
	}
	if status == store.OwnerDisabled {
		if err := s.mayDisable(ctx, caller, owner); err != nil {
			return nil, err
		}
	}
	var now *store.Owner
	for attempt := 0; ; attempt++ {
		o, err := s.store.Owner(ctx, owner)
		if err != nil {
			return nil, err
		}
		if o.Status == status && o.Found {
			now = o
			break
		}
		ev := audit.Event{Owner: owner, At: s.stamp(), Action: audit.OwnerStatus, Actor: caller.Actor(), SourceIP: caller.SourceIP,
			Details: map[string]any{"status": status}}
		now, err = s.store.SetOwnerStatus(ctx, o, status, ev)
		if errors.Is(err, store.ErrConflict) && attempt < retries {
			continue
		}
		if err != nil {
			return nil, storeOutcome(err)
		}
		break
	}
	marked, done, err := s.store.MarkOwnerTokens(ctx, now, deadline)
	if err != nil {
		return nil, storeOutcome(err)
	}
	return &OwnerResult{Owner: owner, Status: status, Marked: marked, Complete: done}, nil
}

// mayDisable refuses the two lockouts: disabling the caller's own owner, and
// disabling the last owner that holds a usable admin token. GSI3 lags
// writes a little; a token it does not show yet is not counted, which only
// ever refuses more.
func (s *Service) mayDisable(ctx context.Context, caller Caller, owner string) error {
	if !caller.Ops && owner == caller.Owner {
		return &LockoutError{Reason: "you cannot disable your own owner"}
	}
	admins, err := s.store.AdminTokens(ctx)
	if err != nil {
		return err
	}
	now := s.clock.Now()
	holds, others := false, false
	for _, t := range admins {
		if t.OwnerDisabled || s.rules.Status(t.Times(), now) != lifecycle.StatusActive {
			continue
		}
		if t.Owner == owner {
			holds = true
		} else {
			others = true
		}
	}
	if holds && !others {
		return &LockoutError{Reason: "this is the last owner with a usable admin token; give another owner one first"}
	}
	return nil
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
	now := s.clock.Now()
	st, err := s.store.OwnerStats(ctx, owner, now)
	if err != nil {
		return nil, err
	}
	sum, err := s.summary(ctx, *o, st, now)
	if err != nil {
		return nil, err
	}
	return &sum, nil
}

// OwnerPolicy is what an admin may set for one owner; nil fields stay.
type OwnerPolicy struct {
	// SingleToken: issuing a token for the owner revokes its other live
	// tokens (as SINGLE_TOKEN_PER_OWNER does for every owner).
	SingleToken *bool
	// Plan moves the owner to one of the deployment's plans.
	Plan *string
	// Overrides of the plan for this owner; each set replaces the one
	// before, and a zero (Quota with 0 requests, 0 days or tokens) goes
	// back to the plan's.
	Quota           *plan.Quota
	MaxLiveTokens   *int
	MaxLifetimeDays *int
	// Metadata replaces the owner's whole ({} clears it): pairs passed
	// with each of its tokens' as meta_<key> (a token's own pair of the
	// same key wins). Copied onto its tokens as a plan is.
	Metadata *map[string]string
}

// changes applies p to the owner item's policy, with the audit details of
// what it changes.
func (s *Service) changes(o *store.Owner, p OwnerPolicy) (store.OwnerPolicy, map[string]any, error) {
	next, details := o.Policy(), map[string]any{}
	if p.SingleToken != nil && (*p.SingleToken != o.SingleToken || !o.Found) {
		next.SingleToken, details["singleToken"] = *p.SingleToken, *p.SingleToken
	}
	if p.Plan != nil && *p.Plan != o.Plan {
		next.Plan, details["plan"] = *p.Plan, map[string]any{"from": s.plans.Name(o.Plan), "to": *p.Plan}
	}
	if q := p.Quota; q != nil {
		v := ""
		if q.Requests != 0 {
			if err := q.Check(); err != nil {
				return next, nil, invalid("quota", "%v", err)
			}
			v = q.String()
		}
		if v != o.Quota {
			next.Quota, details["quota"] = v, map[string]any{"from": overrideText(o.Quota), "to": overrideText(v)}
		}
	}
	for _, f := range []struct {
		field string
		in    *int
		cur   int
		out   *int
	}{{"maxLiveTokens", p.MaxLiveTokens, o.MaxLiveTokens, &next.MaxLiveTokens}, {"maxLifetimeDays", p.MaxLifetimeDays, o.MaxLifetimeDays, &next.MaxLifetimeDays}} {
		if f.in == nil {
			continue
		}
		if *f.in < 0 || f.field == "maxLifetimeDays" && *f.in > int(s.rules.MaxLifetime/(24*time.Hour)) {
			return next, nil, invalid(f.field, "must be 0 (the plan's) or a positive number (days within MAX_LIFETIME_DAYS)")
		}
		if *f.in != f.cur {
			*f.out, details[f.field] = *f.in, map[string]any{"from": f.cur, "to": *f.in}
		}
	}
	if m := p.Metadata; m != nil {
		if err := CheckMetadata(*m); err != nil {
			return next, nil, err
		}
		if !maps.Equal(*m, o.Metadata) {
			next.Metadata, details["metadata"] = *m, *m
		}
	}
	return next, details, nil
}

// overrideText is a quota override as the audit trail says it.
func overrideText(q string) string {
	if q == "" {
		return "the plan's"
	}
	return q
}

// PolicyResult is an owner after a policy change, and whether every one of
// its tokens carries its plan yet.
type PolicyResult struct {
	OwnerSummary
	Marked   int
	Complete bool
}

// SetOwnerPolicy sets an owner's policy (admins only), with its audit event,
// in one conditional write. A new plan is then copied onto the owner's
// tokens, as a status is (SetOwnerStatus), so validate narrows their scopes
// from the one item it reads; marking stops at deadline and calling again
// resumes. Tokens issued meanwhile start on the new plan: issue checks the
// owner's plan in its transaction.
func (s *Service) SetOwnerPolicy(ctx context.Context, caller Caller, owner string, p OwnerPolicy, deadline time.Time) (*PolicyResult, error) {
	if !caller.Admin() {
		return nil, forbidden("setting an owner's policy needs tokens:admin")
	}
	if err := CheckOwner(owner); err != nil {
		return nil, err
	}
	if p == (OwnerPolicy{}) {
		return nil, invalid("singleToken", "give singleToken, plan, quota, maxLiveTokens, maxLifetimeDays or metadata")
	}
	if p.Plan != nil && !s.plans.Has(*p.Plan) {
		return nil, invalid("plan", "no plan %q; GET /plans lists them", *p.Plan)
	}
	var now *store.Owner
	var moved *UsageKey
	for attempt := 0; ; attempt++ {
		o, err := s.store.Owner(ctx, owner)
		if err != nil {
			return nil, err
		}
		next, details, err := s.changes(o, p)
		if err != nil {
			return nil, err
		}
		// The owner's API key follows its plan's usage plan (also when the
		// catalogue moved the plan to another usage plan: setting the same
		// plan again moves the key).
		if moved, err = s.movedKey(ctx, o, s.usagePlanOf(next.Plan)); err != nil {
			return nil, err
		}
		if moved != nil {
			next = withKey(next, *moved)
			details["usagePlan"] = map[string]any{"from": o.UsagePlan, "to": moved.UsagePlan}
		}
		if len(details) == 0 {
			now = o
			break
		}
		ev := audit.Event{Owner: owner, At: s.stamp(), Action: audit.OwnerPolicy, Actor: caller.Actor(), SourceIP: caller.SourceIP, Details: details}
		now, err = s.store.SetOwnerPolicy(ctx, o, next, ev)
		if errors.Is(err, store.ErrConflict) && attempt < retries {
			continue
		}
		if err != nil {
			return nil, storeOutcome(err)
		}
		break
	}
	res := &PolicyResult{Complete: true}
	if p.Plan != nil || p.Quota != nil || p.Metadata != nil || moved != nil {
		var err error
		if res.Marked, res.Complete, err = s.store.MarkOwnerTokens(ctx, now, deadline); err != nil {
			return nil, storeOutcome(err)
		}
	}
	sum, err := s.OwnerInfo(ctx, caller, owner)
	if err != nil {
		return nil, err
	}
	res.OwnerSummary = *sum
	return res, nil
}

// ownerRefused tells why a new token's owner refused it: moved to another
// plan, or given another counted token, meanwhile (errOwnerMoved), disabled, of the
// other kind (a person's owner for an operator, or the reverse), or (with
// enablement required) not enabled yet, in which case the owner is recorded
// as pending so admins see who is waiting.
func (s *Service) ownerRefused(ctx context.Context, owner, plan string, seq *int64) error {
	o, err := s.store.Owner(ctx, owner)
	if err != nil {
		return err
	}
	if o.Plan != plan || seq != nil && o.Issued != *seq {
		return errOwnerMoved
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
