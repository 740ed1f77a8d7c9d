package manage

import (
	"context"
	"slices"

	"github.com/keymint/keymint/shared/policy"
	"github.com/keymint/keymint/shared/store"
)

// Covers is the one rule for acting on an existing token: the caller must
// hold every scope the target holds, so no action (regenerate, edit, copy,
// deactivate, activate, IP rules, revoke) can hand the caller, or anyone it
// gives the result to, more than it already has. Admins cover every token.
// A token always covers itself. Scopes the catalogue no longer knows open
// nothing (policy.Catalogue.Allows), so they need no cover.
func Covers(cat *policy.Catalogue, caller Caller, target []string) bool {
	if caller.Admin() {
		return true
	}
	for _, s := range target {
		if cat.Known(s) && !slices.Contains(caller.Scopes, s) {
			return false
		}
	}
	return true
}

// actOn loads a token the caller may change: visible to it (another
// owner's token is not found) and covered by its scopes.
func (s *Service) actOn(ctx context.Context, caller Caller, id string) (*store.Record, error) {
	caller, err := s.authority(ctx, caller)
	if err != nil {
		return nil, err
	}
	t, err := s.visible(ctx, caller, id)
	if err != nil {
		return nil, err
	}
	if caller.TokenID != t.ID && !Covers(s.cat, caller, t.Scopes) {
		return nil, forbidden("your token's scopes do not cover this token's scopes")
	}
	return t, nil
}
