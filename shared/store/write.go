package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/keymint/keymint/shared/audit"
	"github.com/keymint/keymint/shared/lifecycle"
)

// Change is one token's state change: Before nil creates, After nil deletes.
// Event, when set, is written in the same transaction.
type Change struct {
	Before *Record
	After  *Record
	Event  *audit.Event
	// Claim, on a create, takes an idempotency key for the new token in the
	// same transaction.
	Claim *Claim
	// OwnerKind, on a create, is the kind of owner the new token's owner
	// must be: recorded when it has none yet, refused (ErrOwnerDisabled's
	// guard) when it is the other. "" checks nothing.
	OwnerKind string
	// KindIfNew: OwnerKind is only recorded on an owner that has none, and
	// an owner of the other kind is not refused (an admin acting on a
	// person's owner).
	KindIfNew bool
	// IssueSeq, on a create, is the owner's Issued as read when its live
	// tokens were counted: the create bumps it, and is refused (the
	// owner's guard) if another such create bumped it first.
	IssueSeq *int64
}

// DynamoDB allows 100 items per transaction; a change needs up to four
// (token, old and new name reservation, audit) plus one owner check.
const maxChangesPerTx = 24

// what a transaction item guards, so a cancellation maps to a domain error.
type guard int

const (
	guardToken guard = iota
	guardCreate
	guardNamePut
	guardNameDelete
	guardOwner
	guardAudit
	guardClaim
	guardOwnerVersion
)

type txBuilder struct {
	items  []types.TransactWriteItem
	guards []guard
}

func (b *txBuilder) add(g guard, it types.TransactWriteItem) {
	b.items = append(b.items, it)
	b.guards = append(b.guards, g)
}

// Apply writes all changes in one transaction, or none of them. Derived
// attributes (expiresTTL, GSI keys) are recomputed on every After. Outcomes:
// ErrConflict (someone changed a token since it was read), ErrExists,
// ErrNameTaken, ErrOwnerDisabled.
func (s *Store) Apply(ctx context.Context, now time.Time, changes ...Change) error {
	if len(changes) == 0 {
		return nil
	}
	if len(changes) > maxChangesPerTx {
		return ErrTooManyChanges
	}
	var b txBuilder
	ownersChecked := map[string]bool{}
	for _, c := range changes {
		if err := s.addChange(&b, c, ownersChecked, now); err != nil {
			return err
		}
		if c.Claim != nil && c.Before == nil && c.After != nil {
			if err := s.addClaim(&b, c.Claim, c.After.ID, now); err != nil {
				return err
			}
		}
	}
	if err := s.addReservations(ctx, &b, now, changes); err != nil {
		return err
	}
	return s.commit(ctx, &b)
}

// commit writes b's items in one transaction. Every write of the store goes
// through here, so a failed condition always comes back as the domain error
// of the item that guarded it, read from the cancellation reasons
// (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html),
// never from the error's text.
func (s *Store) commit(ctx context.Context, b *txBuilder) error {
	_, err := s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: b.items})
	return s.commitOutcome(err, b)
}

// commitOutcome is what a TransactWriteItems error of b's items means.
func (s *Store) commitOutcome(err error, b *txBuilder) error {
	if err == nil {
		return nil
	}
	var tce *types.TransactionCanceledException
	if errors.As(err, &tce) {
		for i, r := range tce.CancellationReasons {
			if aws.ToString(r.Code) != "ConditionalCheckFailed" || i >= len(b.guards) {
				continue
			}
			switch b.guards[i] {
			case guardCreate:
				return ErrExists
			case guardNamePut:
				return ErrNameTaken
			case guardOwner:
				return ErrOwnerDisabled
			case guardClaim:
				return ErrClaimTaken
			default: // a token's or owner's version, an audit event's key
				return ErrConflict
			}
		}
		// TransactionConflict: another transaction touched the same items.
		for _, r := range tce.CancellationReasons {
			if aws.ToString(r.Code) == "TransactionConflict" {
				return ErrConflict
			}
		}
	}
	return fault("write transaction", err)
}

func (s *Store) addChange(b *txBuilder, c Change, ownersChecked map[string]bool, now time.Time) error {
	subject := c.After
	if subject == nil {
		subject = c.Before
	}
	if subject == nil {
		return errors.New("store: change without token")
	}
	if c.Before == nil && !ownersChecked[subject.Owner] {
		ownersChecked[subject.Owner] = true
		if err := s.addOwnerCheck(b, subject.Owner, c, subject, now); err != nil {
			return err
		}
	}
	if err := s.addTokenWrite(b, c); err != nil {
		return err
	}
	if c.Event != nil {
		it, err := s.auditPut(*c.Event)
		if err != nil {
			return err
		}
		b.add(guardAudit, it)
	}
	return nil
}

// addOwnerCheck refuses new tokens for an owner that may not have them, in
// the same transaction, so a concurrent disable cannot miss a token being
// issued: a disabled owner never, and with enablement required, an owner
// not enabled (active) by an admin. It also registers the owner (the owner
// item, listed in GSI1) on its first token, without changing anything an
// admin set. With kind, the owner must be of that kind or of none yet (any
// kind with ifNew), and an owner of none becomes that kind. The owner must
// be on the plan (and quota override) the new token carries, so a token
// never starts on a plan its owner has just left (its marking could have
// passed it by).
func (s *Store) addOwnerCheck(b *txBuilder, owner string, c Change, t *Record, now time.Time) error {
	kind, ifNew := c.OwnerKind, c.KindIfNew
	cond := expression.Or(
		expression.AttributeNotExists(expression.Name("PK")),
		expression.Name("status").NotEqual(expression.Value(OwnerDisabled)),
	)
	if s.enablement {
		cond = expression.Name("status").Equal(expression.Value(OwnerActive))
	}
	cond = cond.And(samePlan(t.Plan), same("quota", t.Quota), same("metaSum", t.OwnerMetaSum), same("usageKey", t.UsageKey))
	upd := expression.Set(expression.Name("owner"), expression.Value(owner))
	if seq := c.IssueSeq; seq != nil {
		seen := expression.Name("issued").Equal(expression.Value(*seq))
		if *seq == 0 {
			seen = expression.Or(expression.AttributeNotExists(expression.Name("issued")), seen)
		}
		cond = cond.And(seen)
		upd = upd.Set(expression.Name("issued"), expression.Value(*seq+1))
	}
	if kind != "" && !ifNew {
		cond = cond.And(expression.Or(
			expression.AttributeNotExists(expression.Name("kind")),
			expression.Name("kind").Equal(expression.Value(kind)),
		))
	}
	if kind != "" {
		upd = upd.Set(expression.Name("kind"), expression.IfNotExists(expression.Name("kind"), expression.Value(kind)))
	}
	upd = upd.
		Set(expression.Name("GSI1PK"), expression.Value(ownersPK)).
		Set(expression.Name("GSI1SK"), expression.Value(ownerPK(owner))).
		Set(expression.Name("status"), expression.IfNotExists(expression.Name("status"), expression.Value(OwnerActive))).
		Set(expression.Name("createdAt"), expression.IfNotExists(expression.Name("createdAt"), expression.Value(now.Unix()))).
		Set(expression.Name("updatedAt"), expression.IfNotExists(expression.Name("updatedAt"), expression.Value(now.Unix()))).
		Set(expression.Name("version"), expression.IfNotExists(expression.Name("version"), expression.Value(1)))
	it, err := s.txUpdate(key(ownerPK(owner), metaSK), upd, cond)
	if err != nil {
		return err
	}
	b.add(guardOwner, it)
	return nil
}

// unchanged is the optimistic lock: the version we read, and the lastUsedAt
// we read (validate records use without bumping version, and a Put from a
// stale read must not roll that back).
func unchanged(t *Record) expression.ConditionBuilder {
	cond := expression.Name("version").Equal(expression.Value(t.Version))
	if t.LastUsedAt == 0 {
		return cond.And(expression.AttributeNotExists(expression.Name("lastUsedAt")))
	}
	return cond.And(expression.Name("lastUsedAt").Equal(expression.Value(t.LastUsedAt)))
}

func (s *Store) addTokenWrite(b *txBuilder, c Change) error {
	if c.After == nil {
		it, err := s.txDelete(key(tokenPK(c.Before.ID), metaSK), unchanged(c.Before))
		if err != nil {
			return err
		}
		b.add(guardToken, it)
		return nil
	}
	after := c.After
	g, cond := guardCreate, expression.AttributeNotExists(expression.Name("PK"))
	after.Version = 1
	if c.Before != nil {
		g, cond = guardToken, unchanged(c.Before)
		after.Version = c.Before.Version + 1
	}
	derive(after, s.rules)
	item, err := attributevalue.MarshalMap(after)
	if err != nil {
		return fmt.Errorf("store: encode token %s: %w", after.ID, err)
	}
	it, err := s.txPut(item, cond)
	if err != nil {
		return err
	}
	b.add(g, it)
	return nil
}

// holdsName reports whether t, in this state, keeps its name reserved:
// revoked tokens free their name at once; expired ones let the reservation
// be taken over (checked by time in the reservation's condition).
func holdsName(t *Record) bool { return t != nil && t.Status != lifecycle.StatusRevoked }

type reservation struct {
	PK         string `dynamodbav:"PK"`
	SK         string `dynamodbav:"SK"`
	TokenID    string `dynamodbav:"tokenId"`
	ExpiresAt  int64  `dynamodbav:"expiresAt"`
	ExpiresTTL int64  `dynamodbav:"expiresTTL"`
}

// addReservations moves name reservations with the tokens. A transaction
// may touch an item once, so when one change frees a name another takes
// (single-token mode reissuing under the same name), the take-over replaces
// the release and its condition accepts the old holder.
func (s *Store) addReservations(ctx context.Context, b *txBuilder, now time.Time, changes []Change) error {
	released := map[string]string{} // reservation PK -> token id freeing it
	var releaseOrder []string
	for _, c := range changes {
		before, after := c.Before, c.After
		if holdsName(before) && (!holdsName(after) || after.Name != before.Name) {
			held, err := s.reservationHolder(ctx, before)
			if err != nil {
				return err
			}
			if held {
				pk := namePK(before.Owner, before.Name)
				released[pk] = before.ID
				releaseOrder = append(releaseOrder, pk)
			}
		}
	}
	taken := map[string]bool{}
	for _, c := range changes {
		if !holdsName(c.After) {
			continue
		}
		// An expired token that keeps its name claims nothing: a newer token
		// may already hold the name, and re-putting the reservation would fail
		// every write to the old one (the sweeper marking it expired) with
		// ErrNameTaken. Its reservation, if still its own, stays as it was.
		if c.Before != nil && c.Before.Name == c.After.Name && c.After.ExpiresAt <= now.Unix() {
			continue
		}
		pk := namePK(c.After.Owner, c.After.Name)
		taken[pk] = true
		if err := s.addNamePut(b, now, c.After, released[pk]); err != nil {
			return err
		}
	}
	for _, pk := range releaseOrder {
		if taken[pk] {
			continue
		}
		if err := s.addNameDelete(b, pk, released[pk]); err != nil {
			return err
		}
	}
	return nil
}

// addNamePut (re)writes after's reservation. Re-putting on every write keeps
// the reservation's expiry in step with the token's, which is what lets an
// expired token's name be reused.
func (s *Store) addNamePut(b *txBuilder, now time.Time, after *Record, previousHolder string) error {
	res := reservation{PK: namePK(after.Owner, after.Name), SK: nameSK, TokenID: after.ID, ExpiresAt: after.ExpiresAt, ExpiresTTL: after.ExpiresTTL}
	item, err := attributevalue.MarshalMap(res)
	if err != nil {
		return fmt.Errorf("store: encode reservation: %w", err)
	}
	cond := expression.Or(
		expression.AttributeNotExists(expression.Name("PK")),
		expression.Name("tokenId").Equal(expression.Value(after.ID)),
		expression.Name("expiresAt").LessThanEqual(expression.Value(now.Unix())),
	)
	if previousHolder != "" {
		cond = cond.Or(expression.Name("tokenId").Equal(expression.Value(previousHolder)))
	}
	it, err := s.txPut(item, cond)
	if err != nil {
		return err
	}
	b.add(guardNamePut, it)
	return nil
}

// reservationHolder reports whether before still holds its name. An
// expired token's name may already belong to a newer token; that one's
// reservation must survive, so we look before releasing.
func (s *Store) reservationHolder(ctx context.Context, before *Record) (bool, error) {
	var res reservation
	found, err := s.get(ctx, key(namePK(before.Owner, before.Name), nameSK), Consistent, "reservation", &res)
	if err != nil || !found {
		return false, err
	}
	return res.TokenID == before.ID, nil
}

// addNameDelete releases a reservation, guarded so a holder that changed
// since we looked cancels the transaction instead of losing its name.
func (s *Store) addNameDelete(b *txBuilder, pk, holder string) error {
	it, err := s.txDelete(key(pk, nameSK), expression.Name("tokenId").Equal(expression.Value(holder)))
	if err != nil {
		return err
	}
	b.add(guardNameDelete, it)
	return nil
}
