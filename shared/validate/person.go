package validate

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/keymint/keymint/shared/clock"
	"github.com/keymint/keymint/shared/policy"
	"github.com/keymint/keymint/shared/signin"
	"github.com/keymint/keymint/shared/signin/idtoken"
	"github.com/keymint/keymint/shared/store"
)

// person is who a verified ID token names, and what it may do on the
// management API.
type person struct {
	owner   string
	admin   bool
	scopes  []string // effective
	expires int64    // the ID token's exp, unix seconds
}

// people turns a verified ID token (shared/signin/idtoken) into a person:
// the owner it names and the scopes it gets on the management API.
type people struct {
	cfg signin.OIDC
	cat *policy.Catalogue
	ids *idtoken.Verifier
	log *slog.Logger
}

func newPeople(cfg signin.OIDC, cat *policy.Catalogue, clk clock.Clock, log *slog.Logger) *people {
	if !cfg.On() {
		return nil
	}
	return &people{cfg: cfg, cat: cat, ids: idtoken.New(cfg, clk, log), log: log}
}

// verify checks an ID token and reads the person it names. A bad token is
// a status; an error means it could not be checked (the provider's
// documents unavailable).
func (p *people) verify(ctx context.Context, raw string, now time.Time) (*person, Status, error) {
	id, err := p.ids.Verify(ctx, raw, now)
	switch {
	case errors.Is(err, idtoken.ErrExpired):
		return nil, Expired, nil
	case errors.Is(err, idtoken.ErrRefused):
		return nil, InvalidIDToken, nil
	case err != nil:
		return nil, "", err
	}
	if !store.ValidOwner(id.Owner) {
		p.log.InfoContext(ctx, "validate: ID token's owner claim is missing or not a valid owner", slog.String("claim", p.cfg.OwnerClaim))
		return nil, InvalidIDToken, nil
	}
	scopes := slices.Clone(p.cfg.Scopes)
	if id.Admin {
		scopes = append(scopes, p.cfg.AdminScopes...)
	}
	return &person{owner: id.Owner, admin: id.Admin, scopes: p.cat.Effective(scopes), expires: id.Expires.Unix()}, Valid, nil
}

// CheckPerson decides for an ID token on the management API. Its verdict is
// cached like a token's, for no longer than the ID token lives.
func (v *Validator) CheckPerson(ctx context.Context, req Request) (Decision, error) {
	if v.people == nil || !idtoken.LooksLikeJWT(req.Token) {
		return Decision{Status: Malformed}, nil
	}
	now := v.clock.Now()
	k := v.cache.keyOf(req.Token)
	e := v.cache.get(k, now.UnixNano())
	if e == nil {
		var err error
		if e, err = v.lookupPerson(ctx, req.Token, now); err != nil {
			return Decision{}, err
		}
		v.cache.put(k, e, now.UnixNano())
	}
	d := Decision{Status: e.status, e: e}
	if e.status != Valid {
		return d, nil
	}
	p := e.person
	switch {
	case now.Add(-idtoken.ClockSkew).Unix() >= p.expires:
		d.Status = Expired
	case req.Method != "" && !v.cat.AllowsFor(p.scopes, "", req.Method, req.Path):
		d.Status = ScopeDenied
	}
	return d, nil
}

// lookupPerson verifies the ID token, then reads its owner: a disabled
// owner's people are refused as its tokens are.
func (v *Validator) lookupPerson(ctx context.Context, raw string, now time.Time) (*entry, error) {
	ctx, cancel := clock.WithMargin(ctx, v.margin)
	defer cancel()
	p, st, err := v.people.verify(ctx, raw, now)
	if err != nil {
		return nil, fmt.Errorf("validate: %w", err)
	}
	if st != Valid {
		return &entry{status: st}, nil
	}
	o, err := v.store.Owner(ctx, p.owner)
	if err != nil {
		return nil, fmt.Errorf("validate: %w", err)
	}
	if o.Kind == store.OwnerOfOperator {
		// People's owners and operators' are kept apart (docs/signin.md,
		// "Owner"): a subject named like an operator-made owner, admin
		// included, is nobody here.
		v.log.InfoContext(ctx, "validate: ID token's owner was made by an operator", slog.String("claim", v.people.cfg.OwnerClaim))
		return &entry{status: InvalidIDToken}, nil
	}
	if o.Status == store.OwnerDisabled {
		return &entry{status: OwnerDisabled, person: p}, nil
	}
	return &entry{status: Valid, person: p}, nil
}
