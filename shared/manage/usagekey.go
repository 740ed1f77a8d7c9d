package manage

import (
	"context"
	"time"

	"github.com/keymint/keymint/shared/audit"
	"github.com/keymint/keymint/shared/plan"
	"github.com/keymint/keymint/shared/store"
)

// UsageKey is an owner's API Gateway API key: its id, its value (copied
// onto the owner's tokens; validate's REST answers name it as
// usageIdentifierKey) and the usage plan it is in. It has the shape of
// shared/usagekey's Key, which manage does not import, so functions that
// move no owner do not link API Gateway's SDK.
type UsageKey struct {
	ID        string
	Value     string
	UsagePlan string
}

// UsageKeys puts an owner's key (cur, or a new one) into usagePlan (""
// for none): shared/usagekey's Keys, adapted by the wiring.
type UsageKeys interface {
	Assign(ctx context.Context, owner string, cur UsageKey, usagePlan string) (UsageKey, error)
}

// usagePlanOf is the usage plan of the plan named ("" the default); a plan
// the catalogue no longer holds has none.
func (s *Service) usagePlanOf(name string) string {
	if p, err := s.plans.Of(name); err == nil {
		return p.UsagePlan
	}
	return ""
}

func keyOf(o *store.Owner) UsageKey {
	return UsageKey{ID: o.UsageKeyID, Value: o.UsageKey, UsagePlan: o.UsagePlan}
}

// movedKey is o's key moved into usagePlan, or nil when it is there
// already or this Service manages no keys.
func (s *Service) movedKey(ctx context.Context, o *store.Owner, usagePlan string) (*UsageKey, error) {
	cur := keyOf(o)
	if s.usageKeys == nil || cur.UsagePlan == usagePlan && (usagePlan == "" || cur.ID != "") {
		return nil, nil
	}
	k, err := s.usageKeys.Assign(ctx, o.Owner, cur, usagePlan)
	if err != nil {
		return nil, &UsagePlanError{Err: err}
	}
	return &k, nil
}

// withKey is next with k's fields. The value is kept (and so copied onto
// the owner's tokens) only while the key is in a usage plan: a REST answer
// naming a key in none would be refused by API Gateway, and an owner
// without one is metered by no usage plan.
func withKey(next store.OwnerPolicy, k UsageKey) store.OwnerPolicy {
	next.UsageKeyID, next.UsagePlan, next.UsageKey = k.ID, k.UsagePlan, ""
	if k.UsagePlan != "" {
		next.UsageKey = k.Value
	}
	return next
}

// markBudget bounds the marking a create does for an owner's first key.
const markBudget = 2 * time.Second

// keyForNewToken gives owner o an API key in p's usage plan before a token
// is made for it, so the new token carries the key from its first use:
// once per owner, and again after the catalogue moves the plan to another
// usage plan. An owner that may not have tokens (disabled, or waiting for
// enablement) gets none; the create then refuses it as before. It returns
// the owner as written (o when nothing moved).
func (s *Service) keyForNewToken(ctx context.Context, caller Caller, o *store.Owner, p *plan.Plan) (*store.Owner, error) {
	if o.Status != store.OwnerActive || s.store.RequiresEnablement() && !o.Found {
		return o, nil
	}
	k, err := s.movedKey(ctx, o, p.UsagePlan)
	if err != nil || k == nil {
		return o, err
	}
	ev := audit.Event{Owner: o.Owner, At: s.stamp(), Action: audit.OwnerPolicy, Actor: caller.Actor(), SourceIP: caller.SourceIP,
		Details: map[string]any{"usagePlan": map[string]any{"from": o.UsagePlan, "to": k.UsagePlan}}}
	now, err := s.store.SetOwnerPolicy(ctx, o, withKey(o.Policy(), *k), ev)
	if err != nil {
		return nil, storeOutcome(err)
	}
	if o.Found && k.Value != o.UsageKey {
		// Its first key: the owner's other tokens get it too, within a
		// bounded time (what is left is marked by the next PATCH of the
		// owner, docs/configuration.md "Plans").
		if _, _, err := s.store.MarkOwnerTokens(ctx, now, time.Now().Add(markBudget)); err != nil {
			return nil, storeOutcome(err)
		}
	}
	return now, nil
}
