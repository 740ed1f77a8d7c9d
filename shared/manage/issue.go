package manage

import (
	"context"
	"errors"
	"maps"
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
	// Metadata is passed to the API behind the authorizer (CheckMetadata).
	Metadata map[string]string
	// IdempotencyKey makes a retry answer with the token the first attempt
	// made (without its secret) instead of making another.
	IdempotencyKey string
}

// Issue creates a token. In single-token mode (the deployment's, or the
// owner's policy) the owner's other live tokens are revoked in the same
// transaction, so there is never a moment with two.
func (s *Service) Issue(ctx context.Context, caller Caller, req IssueRequest) (*Issued, error) {
	owner := caller.Owner
	if req.Owner != "" && req.Owner != caller.Owner {
		if !caller.Admin() {
			return nil, forbidden("only admins may issue tokens for another owner")
		}
		owner = req.Owner
	}
	if err := s.checkIssueOwner(ctx, caller, owner); err != nil {
		return nil, err
	}
	if err := checkName(req.Name); err != nil {
		return nil, err
	}
	if err := checkDescription(req.Description); err != nil {
		return nil, err
	}
	caller, err := s.authority(ctx, caller)
	if err != nil {
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
	if err := CheckMetadata(req.Metadata); err != nil {
		return nil, err
	}
	now := s.now()
	expiresAt, err := expiry(now, req.ExpiresAt, req.ExpiresInDays, s.rules.DefaultLifetime, s.rules.MaxLifetime)
	if err != nil {
		return nil, err
	}
	// No expiry asked: the default, which create shortens to the owner's
	// plan if need be.
	var lifetime int64
	if req.ExpiresAt != nil || req.ExpiresInDays != nil {
		lifetime = expiresAt.Unix() - now.Unix()
	}
	// The fingerprint is of the request as sent: an absolute expiresAt
	// stays absolute (a retry a second later is the same request), and
	// expiresInDays stays relative.
	claim, err := s.claimFor(caller, req.IdempotencyKey, "issue", owner, req.Name, req.Description, scopes, cidrs, expiryAsSent(req), req.Metadata)
	if err != nil {
		return nil, err
	}
	if err := s.replayed(ctx, claim); err != nil {
		return nil, err
	}
	tmpl := &store.Record{
		Owner: owner, Name: req.Name, Description: req.Description, Scopes: scopes,
		AllowedCIDRs: cidrs, Lifetime: lifetime, Metadata: maps.Clone(req.Metadata),
	}
	if req.ExpiresAt != nil {
		// An instant asked for is kept to the second, however late in the
		// request the token is made.
		tmpl.ExpiresAt = expiresAt.Unix()
	}
	return s.create(ctx, caller, tmpl, audit.Issue, nil, claim)
}

// expiryField names the field a create's expiry came from, for errors.
func expiryField(tmpl *store.Record) string {
	if tmpl.ExpiresAt != 0 {
		return "expiresAt"
	}
	return "expiresInDays"
}

// expiryAsSent is the expiry a request asked for, as it asked: an instant
// (Unix seconds), a number of days, or neither (the default).
func expiryAsSent(req IssueRequest) any {
	switch {
	case req.ExpiresAt != nil:
		return map[string]int64{"at": req.ExpiresAt.Unix()}
	case req.ExpiresInDays != nil:
		return map[string]int{"days": *req.ExpiresInDays}
	}
	return nil
}

// create writes a new token built from tmpl, retrying single-token
// revocations that raced with other writes. claim, when set, takes the
// request's idempotency key in the same transaction.
func (s *Service) create(ctx context.Context, caller Caller, tmpl *store.Record, action audit.Action, details map[string]any, claim *store.Claim) (*Issued, error) {
	for attempt := 0; attempt < retries; attempt++ {
		now := s.now()
		plain, keyID, sum, err := s.newSecret(ctx, "")
		if err != nil {
			return nil, err
		}
		t := tmpl.Clone()
		t.ID, t.SecretHash, t.KeyID = plain.ID, sum, keyID
		t.Status = lifecycle.StatusActive
		t.CreatedAt, t.UpdatedAt, t.SecretAt = now.Unix(), now.Unix(), now.Unix()
		switch {
		case tmpl.ExpiresAt != 0:
			// An absolute expiry: the lifetime (what regenerate and copy
			// reuse) counts from this attempt's clock, the instant does
			// not move with it.
			if tmpl.ExpiresAt <= now.Unix() {
				return nil, invalid("expiresAt", "must be in the future")
			}
			t.Lifetime = tmpl.ExpiresAt - now.Unix()
		case t.Lifetime <= 0:
			t.Lifetime = int64(s.rules.DefaultLifetime / time.Second)
			t.ExpiresAt = now.Unix() + t.Lifetime
		default:
			t.ExpiresAt = now.Unix() + t.Lifetime
		}
		o, p, err := s.ownerPlan(ctx, t.Owner)
		if err != nil {
			return nil, err
		}
		if o, err = s.keyForNewToken(ctx, caller, o, p); err != nil {
			return nil, err
		}
		if err := entitled(p, t.Scopes); err != nil {
			return nil, err
		}
		if t.Lifetime, err = lifetimeWithin(p, t.Lifetime, tmpl.Lifetime > 0 && action == audit.Issue, expiryField(tmpl)); err != nil {
			return nil, err
		}
		if tmpl.ExpiresAt == 0 {
			t.ExpiresAt = now.Unix() + t.Lifetime
		}
		t.Plan, t.Quota, t.UsageKey = o.Plan, o.Quota, o.UsageKey
		t.OwnerMetadata, t.OwnerMetaSum = maps.Clone(o.Metadata), o.MetaSum
		t.Admin = s.cat.Implies(t.Scopes, ScopeAdmin)
		ev := map[string]any{"name": t.Name, "scopes": t.Scopes, "expiresAt": t.ExpiresAt}
		for k, v := range details {
			ev[k] = v
		}
		changes := []store.Change{withOwnerKind(store.Change{After: t, Event: s.event(caller, t.ID, action, ev), Claim: claim}, caller, action)}
		single := s.single || o.SingleToken
		// What this attempt revokes; a retry reads the owner's tokens again.
		var replaced []*store.Record
		if single {
			others, err := s.store.LiveTokens(ctx, t.Owner)
			if err != nil {
				return nil, err
			}
			for _, o := range others {
				r := o.Clone()
				r.Status, r.RevokedAt, r.UpdatedAt = lifecycle.StatusRevoked, now.Unix(), now.Unix()
				changes = append(changes, store.Change{Before: o, After: r,
					Event: s.event(caller, o.ID, audit.Revoke, map[string]any{"reason": "single_token_per_owner", "replacedBy": t.ID})})
				replaced = append(replaced, r)
			}
		}
		if err := s.liveLimit(ctx, p, o, replaced, &changes[0]); err != nil {
			return nil, err
		}
		err = s.store.Apply(ctx, now, changes...)
		switch {
		case err == nil:
			return &Issued{Token: t, Plaintext: plain.String(), Replaced: replaced}, nil
		case errors.Is(err, store.ErrClaimTaken):
			// Another request with this key won the race: answer as it did.
			if rerr := s.replayed(ctx, claim); rerr != nil {
				return nil, rerr
			}
			continue
		case errors.Is(err, store.ErrConflict), errors.Is(err, store.ErrExists):
			continue
		case errors.Is(err, store.ErrOwnerDisabled):
			err := s.ownerRefused(ctx, t.Owner, t.Plan, changes[0].IssueSeq)
			if errors.Is(err, errOwnerMoved) {
				continue // moved to another plan, or another token counted: judge again
			}
			return nil, err
		case errors.Is(err, store.ErrUnavailable):
			// The transaction may have committed with only its answer lost.
			if s.landed(ctx, t) {
				return &Issued{Token: t, Plaintext: plain.String(), Replaced: replaced}, nil
			}
			return nil, &UnknownOutcomeError{Err: err}
		}
		return nil, storeOutcome(err)
	}
	return nil, conflict("the owner's tokens are being changed concurrently; retry")
}

// verifyBudget is how long create may spend, after its context ended,
// finding out whether a write it lost track of landed.
const verifyBudget = time.Second

// landed reports whether t was written after all: the item exists with this
// secret's hash. It reads on a context of its own, because the usual cause
// of an unknown outcome is the request's own deadline.
func (s *Service) landed(ctx context.Context, t *store.Record) bool {
	vctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), verifyBudget)
	defer cancel()
	got, err := s.store.Record(vctx, t.ID, store.Consistent)
	return err == nil && string(got.SecretHash) == string(t.SecretHash)
}
