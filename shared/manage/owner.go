package manage

import (
	"context"
	"errors"
	"time"

	"github.com/keymint/keymint/shared/audit"
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
	if status != store.OwnerActive && status != store.OwnerDisabled {
		return nil, invalid("status", "must be %q or %q", store.OwnerActive, store.OwnerDisabled)
	}
	for attempt := 0; ; attempt++ {
		o, err := s.store.Owner(ctx, owner)
		if err != nil {
			return nil, err
		}
		if o.Status == status {
			break
		}
		ev := audit.Event{Owner: owner, At: s.stamp(), Action: audit.OwnerStatus, Actor: caller.actor(), SourceIP: caller.SourceIP,
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
	marked, done, err := s.store.MarkOwnerTokens(ctx, owner, status == store.OwnerDisabled, deadline)
	if err != nil {
		return nil, err
	}
	return &OwnerResult{Owner: owner, Status: status, Marked: marked, Complete: done}, nil
}
