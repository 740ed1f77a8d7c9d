package manage

import (
	"context"
	"fmt"

	"github.com/keymint/keymint/shared/audit"
	"github.com/keymint/keymint/shared/store"
)

// maxOwner is the longest owner name (store.ValidOwner's bound).
const maxOwner = 128

// checkIssueOwner checks the owner a new token is issued to. An owner
// named by an operator (ops, or an admin naming another owner) must be in
// canonical form, so "Alice" and "alice" can never be two operator-made
// owners; a person's owner is the provider's value as it is (a sub is
// case-sensitive: https://openid.net/specs/openid-connect-core-1_0.html#IDToken),
// held only to store.ValidOwner, and an admin may name it as it is.
func (s *Service) checkIssueOwner(ctx context.Context, caller Caller, owner string) error {
	if err := CheckOwner(owner); err != nil {
		return err
	}
	if !namedByOperator(caller, owner) || canonicalOwner(owner) {
		return nil
	}
	if !caller.Ops {
		o, err := s.store.Owner(ctx, owner)
		if err != nil {
			return err
		}
		if o.Kind == store.OwnerOfPerson {
			return nil
		}
	}
	return invalid("owner", "an owner named by an operator must be 1-%d lower-case letters, digits or . _ -, starting with a letter or digit (not %q)", maxOwner, owner)
}

// canonicalOwner is the one form of an operator-made owner's name:
// [a-z0-9][a-z0-9._-]*, at most maxOwner bytes.
func canonicalOwner(owner string) bool {
	if owner == "" || len(owner) > maxOwner {
		return false
	}
	for i := range len(owner) {
		c := owner[i]
		switch {
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
		case i > 0 && (c == '.' || c == '_' || c == '-'):
		default:
			return false
		}
	}
	return true
}

// namedByOperator reports a token for owner asked by someone other than
// the owner itself: ops, or an admin naming it.
func namedByOperator(caller Caller, owner string) bool {
	return caller.Ops || owner != caller.Owner
}

// withOwnerKind sets what kind of owner a new token's owner must be (and
// becomes, on its first token), so people's owners and operators' stay
// apart (store.OwnerOfPerson):
//   - a signed-in person issuing for themself: a person's;
//   - ops (direct invoke): an operator's, never a person's, so the
//     bootstrap owner's token cannot land with a person who signed in as
//     "admin" first;
//   - an admin naming another owner: an operator's when it is new, and an
//     existing person's owner stays a person's (admins act on any owner).
//
// A token issuing for its own owner, and copies and regenerations (which
// stay in the source token's owner with scopes it held), check nothing.
func withOwnerKind(c store.Change, caller Caller, action audit.Action) store.Change {
	if action != audit.Issue || c.After == nil {
		return c
	}
	switch {
	case caller.Ops:
		c.OwnerKind = store.OwnerOfOperator
	case c.After.Owner != caller.Owner:
		c.OwnerKind, c.KindIfNew = store.OwnerOfOperator, true
	case caller.Person:
		c.OwnerKind = store.OwnerOfPerson
	}
	return c
}

// kindRefused explains a new token refused because its owner is of the
// other kind.
func kindRefused(o *store.Owner) error {
	if o.Kind == store.OwnerOfPerson {
		return forbidden(fmt.Sprintf("owner %s is a signed-in person's: ops cannot issue its tokens", o.Owner))
	}
	return forbidden(fmt.Sprintf("owner %s was made by an operator: a signed-in person cannot act as it", o.Owner))
}
