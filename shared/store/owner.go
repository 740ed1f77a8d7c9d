package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/keymint/keymint/shared/audit"
)

// Owner status values. Pending is an owner that asked for tokens while
// TOKENS_REQUIRE_ENABLEMENT is on and is waiting for an admin to enable it.
const (
	OwnerActive   = "active"
	OwnerDisabled = "disabled"
	OwnerPending  = "pending"
)

// Owner kinds: who made an owner, recorded by its first token issued
// (Change.OwnerKind) and never changed, so people's owners and owners made
// by operators stay apart: a person signs in only as an owner that is not an
// operator's, and an operator issues only into owners that are not a
// person's (docs/signin.md, "Owner").
const (
	// OwnerOfPerson: first issued to by a signed-in person, for themself.
	OwnerOfPerson = "person"
	// OwnerOfOperator: first issued to by ops (direct invoke) or an admin
	// naming it.
	OwnerOfOperator = "operator"
)

// ownersPK is the GSI1 partition holding every owner item, so owners can
// be listed in order without a scan.
const ownersPK = "OWNERS"

// Owner is the owner item. It is written when the owner's first token is
// issued, or its status or policy set.
type Owner struct {
	PK          string `dynamodbav:"PK"`
	SK          string `dynamodbav:"SK"`
	Owner       string `dynamodbav:"owner"`
	Status      string `dynamodbav:"status"`
	SingleToken bool   `dynamodbav:"singleToken,omitempty"` // issuing revokes the owner's other live tokens
	Kind        string `dynamodbav:"kind,omitempty"`        // OwnerOfPerson, OwnerOfOperator, or "" before its first token says
	Plan        string `dynamodbav:"plan,omitempty"`        // "" until an admin sets one: the deployment's DEFAULT_PLAN
	// Overrides of its plan an admin set; zero: the plan's. Quota is
	// "<requests>/<period>" (plan.Quota's String), copied onto its tokens.
	Quota           string `dynamodbav:"quota,omitempty"`
	MaxLiveTokens   int    `dynamodbav:"maxLiveTokens,omitempty"`
	MaxLifetimeDays int    `dynamodbav:"maxLifetimeDays,omitempty"`
	// Metadata is the owner's key/value pairs, passed with each of its
	// tokens' as meta_<key>; copied onto its tokens with MetaSum, a digest
	// that lets conditions compare it as one string.
	Metadata map[string]string `dynamodbav:"metadata,omitempty"`
	MetaSum  string            `dynamodbav:"metaSum,omitempty"`
	// UsageKey, UsageKeyID and UsagePlan are its API Gateway API key: the
	// value copied onto its tokens, its id, and the usage plan it is in
	// (shared/usagekey); "" while its plan names no usage plan.
	UsageKey   string `dynamodbav:"usageKey,omitempty"`
	UsageKeyID string `dynamodbav:"usageKeyId,omitempty"`
	UsagePlan  string `dynamodbav:"usagePlan,omitempty"`
	// Issued counts creates that checked the owner's live tokens against a
	// limit: each bumps it on the condition it is what was read, so two
	// such creates for one owner never both pass on the same count.
	Issued    int64  `dynamodbav:"issued,omitempty"`
	CreatedAt int64  `dynamodbav:"createdAt,omitempty"`
	UpdatedAt int64  `dynamodbav:"updatedAt"`
	Version   int64  `dynamodbav:"version"`
	GSI1PK    string `dynamodbav:"GSI1PK"`
	GSI1SK    string `dynamodbav:"GSI1SK"`
	// Found is false for an owner never written (read as active).
	Found bool `dynamodbav:"-"`
}

// Owner reads an owner; one never written is active.
func (s *Store) Owner(ctx context.Context, owner string) (*Owner, error) {
	var o Owner
	found, err := s.get(ctx, key(ownerPK(owner), metaSK), Consistent, "owner", &o)
	if err != nil {
		return nil, err
	}
	if !found {
		return &Owner{PK: ownerPK(owner), SK: metaSK, Owner: owner, Status: OwnerActive}, nil
	}
	o.Found = true
	return &o, nil
}

// ownerListed fills the keys that put an owner item in the owners list.
func ownerListed(o *Owner) {
	o.PK, o.SK = ownerPK(o.Owner), metaSK
	o.GSI1PK, o.GSI1SK = ownersPK, ownerPK(o.Owner)
}

// SetOwnerStatus writes the owner's status and its audit event together,
// conditional on the version read (ErrConflict when it moved).
func (s *Store) SetOwnerStatus(ctx context.Context, before *Owner, status string, ev audit.Event) (*Owner, error) {
	after := *before
	after.Status = status
	return s.putOwner(ctx, before, &after, ev)
}

// SetOwnerPolicy writes the owner's policy (single-token, plan, overrides)
// and its audit event together, conditional on the version read. Its tokens still
// carry the plan they had until MarkOwnerTokens copies the new one. A
// policy never enables an owner: one never written, where enablement is
// required, is written pending (an admin enables it by its status).
func (s *Store) SetOwnerPolicy(ctx context.Context, before *Owner, p OwnerPolicy, ev audit.Event) (*Owner, error) {
	after := *before
	if !before.Found && s.enablement {
		after.Status = OwnerPending
	}
	after.SingleToken, after.Plan, after.Quota, after.MaxLiveTokens, after.MaxLifetimeDays = p.SingleToken, p.Plan, p.Quota, p.MaxLiveTokens, p.MaxLifetimeDays
	after.Metadata, after.MetaSum = maps.Clone(p.Metadata), MetaSum(p.Metadata)
	after.UsageKey, after.UsageKeyID, after.UsagePlan = p.UsageKey, p.UsageKeyID, p.UsagePlan
	return s.putOwner(ctx, before, &after, ev)
}

// OwnerPolicy is what an admin sets on an owner item, whole.
type OwnerPolicy struct {
	SingleToken     bool
	Plan            string
	Quota           string
	MaxLiveTokens   int
	MaxLifetimeDays int
	Metadata        map[string]string
	// UsageKey, UsageKeyID and UsagePlan are its API Gateway API key
	// (see Owner), not set by an admin but kept with the plan it follows.
	UsageKey, UsageKeyID, UsagePlan string
}

// MetaSum is a digest of metadata ("" for none): equal maps, equal sums.
func MetaSum(m map[string]string) string {
	if len(m) == 0 {
		return ""
	}
	h := sha256.New()
	for _, k := range slices.Sorted(maps.Keys(m)) {
		fmt.Fprintf(h, "%d:%s%d:%s", len(k), k, len(m[k]), m[k])
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// Policy is the owner's policy as SetOwnerPolicy writes it.
func (o *Owner) Policy() OwnerPolicy {
	return OwnerPolicy{SingleToken: o.SingleToken, Plan: o.Plan, Quota: o.Quota, MaxLiveTokens: o.MaxLiveTokens, MaxLifetimeDays: o.MaxLifetimeDays, Metadata: o.Metadata,
		UsageKey: o.UsageKey, UsageKeyID: o.UsageKeyID, UsagePlan: o.UsagePlan}
}

// putOwner writes after in place of before, with ev, in one transaction
// conditional on before's version (ErrConflict when it moved).
func (s *Store) putOwner(ctx context.Context, before, after *Owner, ev audit.Event) (*Owner, error) {
	ownerListed(after)
	after.UpdatedAt, after.Version = ev.At.Unix(), before.Version+1
	if after.CreatedAt == 0 {
		after.CreatedAt = ev.At.Unix()
	}
	item, err := attributevalue.MarshalMap(after)
	if err != nil {
		return nil, fmt.Errorf("store: encode owner: %w", err)
	}
	cond := expression.AttributeNotExists(expression.Name("PK"))
	if before.Version > 0 {
		cond = expression.Name("version").Equal(expression.Value(before.Version))
	}
	var b txBuilder
	ownerIt, err := s.txPut(item, cond)
	if err != nil {
		return nil, err
	}
	b.add(guardOwnerVersion, ownerIt)
	ev.Owner = before.Owner
	auditIt, err := s.auditPut(ev)
	if err != nil {
		return nil, err
	}
	b.add(guardAudit, auditIt)
	if err := s.commit(ctx, &b); err != nil {
		return nil, err
	}
	after.Found = true
	return after, nil
}

// ValidOwner reports whether owner may name an owner: 1 to 128 letters,
// digits or . _ @ : + -. It becomes part of table keys, so every way in
// (an API body, an ID token's claim) is held to it.
func ValidOwner(owner string) bool {
	if owner == "" || len(owner) > 128 {
		return false
	}
	for i := range len(owner) {
		c := owner[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("._@:+-", c) >= 0) {
			return false
		}
	}
	return true
}

// RequestEnablement records an owner that asked for tokens before an admin
// enabled it (TOKENS_REQUIRE_ENABLEMENT), as pending, so admins see it in
// the owners list. An owner item that exists is left as it is.
func (s *Store) RequestEnablement(ctx context.Context, owner string, now time.Time) error {
	o := Owner{Owner: owner, Status: OwnerPending, CreatedAt: now.Unix(), UpdatedAt: now.Unix(), Version: 1}
	ownerListed(&o)
	item, err := attributevalue.MarshalMap(o)
	if err != nil {
		return fmt.Errorf("store: encode owner: %w", err)
	}
	if _, err := s.putIf(ctx, item, expression.AttributeNotExists(expression.Name("PK"))); err != nil {
		return fmt.Errorf("store: request enablement of %s: %w", owner, err)
	}
	return nil
}
