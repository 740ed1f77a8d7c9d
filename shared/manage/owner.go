package manage

import (
	"context"
	"errors"
	"time"

	"github.com/keymint/keymint/shared/audit"
	"github.com/keymint/keymint/shared/lifecycle"
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
	for attempt := 0; ; attempt++ {
		o, err := s.store.Owner(ctx, owner)
		if err != nil {
			return nil, err
		}
		if o.Status == status && o.Found {
			break
		}
		ev := audit.Event{Owner: owner, At: s.stamp(), Action: audit.OwnerStatus, Actor: caller.Actor(), SourceIP: caller.SourceIP,
			Details: map[string]any{"status": status}}
		_, err = s.store.SetOwnerStatus(ctx, o, status, ev)
		if errors.Is(err, store.ErrConflict) && attempt < retries {
			continue
		}
		if err != nil {
			return nil, storeOutcome(err)
		}
		break
	}
	marked, done, err := s.store.MarkOwnerTokens(ctx, owner, status, deadline)
	if err != nil {
		return nil, err
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
