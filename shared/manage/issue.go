package manage

import (
	"context"
	"errors"
	"time"

	"github.com/keymint/keymint/shared/audit"
	"github.com/keymint/keymint/shared/lifecycle"
	"github.com/keymint/keymint/shared/store"
)

// IssueRequest is the body of POST /tokens (and the ops direct invoke).
type IssueRequest struct {
	Name          string
	Description   string
	Scopes        []string
	ExpiresAt     *time.Time
	ExpiresInDays *int
	AllowedCIDRs  []string
	Owner         string // admins only; default the caller's owner
}

// Issue creates a token. In single-token mode the owner's other live tokens
// are revoked in the same transaction, so there is never a moment with two.
func (s *Service) Issue(ctx context.Context, caller Caller, req IssueRequest) (*Issued, error) {
	owner := caller.Owner
	if req.Owner != "" && req.Owner != caller.Owner {
		if !caller.Admin() {
			return nil, forbidden("only admins may issue tokens for another owner")
		}
		owner = req.Owner
	}
	if err := CheckOwner(owner); err != nil {
		return nil, err
	}
	if err := checkName(req.Name); err != nil {
		return nil, err
	}
	if err := checkDescription(req.Description); err != nil {
		return nil, err
	}
	scopes, err := grantable(s.cat, caller, req.Scopes)
	if err != nil {
		return nil, err
	}
	cidrs, err := normalizeCIDRs(req.AllowedCIDRs)
	if err != nil {
		return nil, err
	}
	now := s.now()
	expiresAt, err := expiry(now, req.ExpiresAt, req.ExpiresInDays, s.rules.DefaultLifetime, s.rules.MaxLifetime)
	if err != nil {
		return nil, err
	}
	tmpl := &store.Token{
		Owner: owner, Name: req.Name, Description: req.Description, Scopes: scopes,
		AllowedCIDRs: cidrs, Lifetime: expiresAt.Unix() - now.Unix(),
	}
	return s.create(ctx, caller, tmpl, audit.Issue, nil)
}

// create writes a new token built from tmpl, retrying single-token
// revocations that raced with other writes.
func (s *Service) create(ctx context.Context, caller Caller, tmpl *store.Token, action audit.Action, details map[string]any) (*Issued, error) {
	for attempt := 0; attempt < retries; attempt++ {
		now := s.now()
		plain, keyID, sum, err := s.newSecret(ctx, "")
		if err != nil {
			return nil, err
		}
		t := tmpl.Clone()
		t.ID, t.SecretHash, t.KeyID = plain.ID, sum, keyID
		t.Status = lifecycle.StatusActive
		t.CreatedAt, t.UpdatedAt = now.Unix(), now.Unix()
		if t.Lifetime <= 0 {
			t.Lifetime = int64(s.rules.DefaultLifetime / time.Second)
		}
		t.ExpiresAt = now.Unix() + t.Lifetime
		ev := map[string]any{"name": t.Name, "scopes": t.Scopes, "expiresAt": t.ExpiresAt}
		for k, v := range details {
			ev[k] = v
		}
		changes := []store.Change{{After: t, Event: s.event(caller, t.ID, action, ev)}}
		if s.single {
			others, err := s.store.LiveTokens(ctx, t.Owner)
			if err != nil {
				return nil, err
			}
			for _, o := range others {
				r := o.Clone()
				r.Status, r.RevokedAt, r.UpdatedAt = lifecycle.StatusRevoked, now.Unix(), now.Unix()
				changes = append(changes, store.Change{Before: o, After: r,
					Event: s.event(caller, o.ID, audit.Revoke, map[string]any{"reason": "single_token_per_owner", "replacedBy": t.ID})})
			}
		}
		err = s.store.Apply(ctx, now, changes...)
		if errors.Is(err, store.ErrConflict) || errors.Is(err, store.ErrExists) {
			continue
		}
		if err != nil {
			return nil, storeOutcome(err)
		}
		return &Issued{Token: t, Plaintext: plain.String()}, nil
	}
	return nil, conflict("the owner's tokens are being changed concurrently; retry")
}
