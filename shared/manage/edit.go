package manage

import (
	"context"
	"maps"
	"slices"
	"time"

	"github.com/keymint/keymint/shared/audit"
	"github.com/keymint/keymint/shared/lifecycle"
	"github.com/keymint/keymint/shared/store"
)

// EditRequest is the body of PATCH /tokens/{id}; nil fields stay as they are.
type EditRequest struct {
	Name         *string
	Description  *string
	ExpiresAt    *time.Time
	AllowedCIDRs *[]string
	Scopes       *[]string
	// Metadata replaces the token's metadata whole; an empty map clears it.
	Metadata *map[string]string
}

// Edit changes a token's settings. Scopes may only shrink: widening would
// let a token grant itself what its issuer did not.
func (s *Service) Edit(ctx context.Context, caller Caller, id string, req EditRequest) (*store.Record, error) {
	if req.Name != nil {
		if err := checkName(*req.Name); err != nil {
			return nil, err
		}
	}
	if req.Description != nil {
		if err := checkDescription(*req.Description); err != nil {
			return nil, err
		}
	}
	var cidrs []string
	if req.AllowedCIDRs != nil {
		var err error
		if cidrs, err = normalizeCIDRs(*req.AllowedCIDRs); err != nil {
			return nil, err
		}
	}
	if req.Metadata != nil {
		if err := CheckMetadata(*req.Metadata); err != nil {
			return nil, err
		}
	}
	var scopes []string
	if req.Scopes != nil {
		if len(*req.Scopes) == 0 {
			return nil, invalid("scopes", "a token needs at least one scope; revoke it instead")
		}
		var err error
		if scopes, err = s.cat.Expand(*req.Scopes); err != nil {
			return nil, invalid("scopes", "unknown scope")
		}
	}
	return s.mutate(ctx, caller, id, audit.Edit, reapplyOnRace, func(t *store.Record, now time.Time) (map[string]any, error) {
		switch s.rules.Status(t.Times(), now) {
		case lifecycle.StatusRevoked:
			return nil, conflict("a revoked token cannot be edited")
		case lifecycle.StatusExpired:
			if req.ExpiresAt != nil {
				return nil, conflict("an expired token stays expired; regenerate it for a new secret")
			}
		}
		changed := map[string]any{}
		if req.Name != nil && *req.Name != t.Name {
			changed["name"] = map[string]any{"from": t.Name, "to": *req.Name}
			t.Name = *req.Name
		}
		if req.Description != nil && *req.Description != t.Description {
			changed["description"] = *req.Description
			t.Description = *req.Description
		}
		if req.ExpiresAt != nil {
			at, err := s.closerExpiry(t, now, *req.ExpiresAt)
			if err != nil {
				return nil, err
			}
			if at != t.ExpiresAt {
				changed["expiresAt"] = at
				// A new date earns its own "expiring soon" notice.
				t.ExpiresAt, t.NotifiedAt = at, 0
				t.Lifetime = at - t.SecretMadeAt()
			}
		}
		if req.AllowedCIDRs != nil && !slices.Equal(cidrs, t.AllowedCIDRs) {
			changed["allowedCidrs"] = cidrs
			t.AllowedCIDRs = cidrs
		}
		if req.Scopes != nil {
			for _, sc := range scopes {
				if !slices.Contains(t.Scopes, sc) {
					return nil, invalid("scopes", "scopes may only shrink; %q is not on this token", sc)
				}
			}
			if !slices.Equal(scopes, t.Scopes) {
				changed["scopes"] = scopes
				t.Scopes = scopes
				t.Admin = s.cat.Implies(scopes, ScopeAdmin)
			}
		}
		if req.Metadata != nil && !maps.Equal(*req.Metadata, t.Metadata) {
			changed["metadata"] = *req.Metadata
			t.Metadata = maps.Clone(*req.Metadata)
			if len(t.Metadata) == 0 {
				t.Metadata = nil
			}
		}
		if len(changed) == 0 {
			return nil, nil
		}
		return changed, nil
	})
}

// closerExpiry checks a new expiresAt: expiry is final, so it may only come
// closer, and the maximum lifetime counts from when the current secret was
// made, never from the edit; an edit cannot stretch a token's life.
func (s *Service) closerExpiry(t *store.Record, now, want time.Time) (int64, error) {
	at := want.Truncate(time.Second).Unix()
	switch {
	case at <= now.Unix():
		return 0, invalid("expiresAt", "must be in the future")
	case at > t.ExpiresAt:
		return 0, invalid("expiresAt", "may only move closer: at most the current expiresAt %s", time.Unix(t.ExpiresAt, 0).UTC().Format(time.RFC3339))
	case at > t.SecretMadeAt()+int64(s.rules.MaxLifetime/time.Second):
		return 0, invalid("expiresAt", "must be within %d days of when the secret was made", int(s.rules.MaxLifetime/(24*time.Hour)))
	}
	return at, nil
}
