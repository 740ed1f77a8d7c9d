package manage

import (
	"context"
	"maps"
	"time"

	"github.com/keymint/keymint/shared/audit"
	"github.com/keymint/keymint/shared/store"
)

// CopyRequest is POST /tokens/{id}/copy.
type CopyRequest struct {
	Name           string
	IdempotencyKey string
}

// Copy issues a new token with the source's scopes, description, lifetime
// length and CIDRs under a new name. The caller must cover the source and
// hold its scopes, as for issue.
func (s *Service) Copy(ctx context.Context, caller Caller, id string, req CopyRequest) (*Issued, error) {
	if err := checkName(req.Name); err != nil {
		return nil, err
	}
	// Authority first, replay second: a retry answers only to a caller who
	// may still make this copy (a caller whose scopes were cut since gets
	// 403, not 24 hours of the copy's live view).
	caller, err := s.authority(ctx, caller)
	if err != nil {
		return nil, err
	}
	src, err := s.actOn(ctx, caller, id)
	if err != nil {
		return nil, err
	}
	if _, err := grantable(s.cat, caller, src.Scopes); err != nil {
		return nil, err
	}
	claim, err := s.claimFor(caller, req.IdempotencyKey, "copy", id, req.Name)
	if err != nil {
		return nil, err
	}
	if err := s.replayed(ctx, claim); err != nil {
		return nil, err
	}
	tmpl := &store.Record{
		Owner: src.Owner, Name: req.Name, Description: src.Description, Scopes: src.Scopes,
		AllowedCIDRs: src.AllowedCIDRs, Metadata: maps.Clone(src.Metadata), Lifetime: min(src.LifetimeOrDefault(), int64(s.rules.MaxLifetime/time.Second)),
	}
	return s.create(ctx, caller, tmpl, audit.Copy, map[string]any{"copiedFrom": src.ID}, claim)
}
