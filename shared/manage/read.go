package manage

import (
	"context"
	"errors"
	"time"

	"github.com/keymint/keymint/shared/audit"
	"github.com/keymint/keymint/shared/lifecycle"
	"github.com/keymint/keymint/shared/store"
)

// Get returns one token the caller may see.
func (s *Service) Get(ctx context.Context, caller Caller, id string) (*store.Record, error) {
	return s.visible(ctx, caller, id)
}

// ListRequest selects a page of tokens.
type ListRequest struct {
	Owner  string // admins only; default the caller's owner
	Status string // "", active, inactive, expired, revoked, or store.FilterLive (all but revoked)
	Limit  int32
	Cursor string
}

// List returns a page of an owner's tokens, newest first.
func (s *Service) List(ctx context.Context, caller Caller, req ListRequest) ([]*store.Record, string, error) {
	owner := caller.Owner
	if req.Owner != "" && req.Owner != caller.Owner {
		if !caller.Admin() {
			return nil, "", forbidden("only admins may list another owner's tokens")
		}
		if err := CheckOwner(req.Owner); err != nil {
			return nil, "", err
		}
		owner = req.Owner
	}
	switch req.Status {
	case "", lifecycle.StatusActive, lifecycle.StatusInactive, lifecycle.StatusExpired, lifecycle.StatusRevoked, store.FilterLive:
	default:
		return nil, "", invalid("status", "must be active, inactive, expired, revoked or live")
	}
	if err := checkLimit(req.Limit); err != nil {
		return nil, "", err
	}
	toks, next, err := s.store.ListByOwner(ctx, owner, req.Status, s.now(), req.Limit, req.Cursor)
	if errors.Is(err, store.ErrBadCursor) {
		return nil, "", invalid("cursor", "not a cursor from this list")
	}
	return toks, next, err
}

// checkLimit refuses a page size the store would not honour.
func checkLimit(limit int32) error {
	if limit < 0 || limit > store.MaxPageSize {
		return invalid("limit", "must be between 1 and %d", store.MaxPageSize)
	}
	return nil
}

// Usage lists the source IPs that used a token.
func (s *Service) Usage(ctx context.Context, caller Caller, id string, limit int32, cursor string) ([]store.IPUse, string, error) {
	if err := checkLimit(limit); err != nil {
		return nil, "", err
	}
	if _, err := s.visible(ctx, caller, id); err != nil {
		return nil, "", err
	}
	u, next, err := s.store.Usage(ctx, id, s.now(), limit, cursor)
	if errors.Is(err, store.ErrBadCursor) {
		return nil, "", invalid("cursor", "not a cursor from this list")
	}
	return u, next, err
}

// Audit lists a token's audit events, newest first.
func (s *Service) Audit(ctx context.Context, caller Caller, id string, limit int32, cursor string) ([]audit.Event, string, error) {
	if err := checkLimit(limit); err != nil {
		return nil, "", err
	}
	if _, err := s.visible(ctx, caller, id); err != nil {
		return nil, "", err
	}
	ev, next, err := s.store.Audit(ctx, id, s.now(), limit, cursor)
	if errors.Is(err, store.ErrBadCursor) {
		return nil, "", invalid("cursor", "not a cursor from this list")
	}
	return ev, next, err
}

// OwnerAudit lists an owner's own audit events (status changes), newest
// first. Admins only: an owner is not a token its holder can see.
func (s *Service) OwnerAudit(ctx context.Context, caller Caller, owner string, limit int32, cursor string) ([]audit.Event, string, error) {
	if !caller.Admin() {
		return nil, "", forbidden("an owner's audit trail needs tokens:admin")
	}
	if err := CheckOwner(owner); err != nil {
		return nil, "", err
	}
	if err := checkLimit(limit); err != nil {
		return nil, "", err
	}
	ev, next, err := s.store.OwnerAudit(ctx, owner, s.now(), limit, cursor)
	if errors.Is(err, store.ErrBadCursor) {
		return nil, "", invalid("cursor", "not a cursor from this list")
	}
	return ev, next, err
}

// KeyUsage reports, per pepper key id, the live tokens and grace-period
// secrets it still verifies (ops only: reached by direct invoke).
func (s *Service) KeyUsage(ctx context.Context, now time.Time) (map[string]store.KeyUse, int, error) {
	return s.store.KeyUsage(ctx, now)
}
