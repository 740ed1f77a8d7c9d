package store

import (
	"fmt"
	"hash/fnv"
	"maps"

	"github.com/keymint/keymint/shared/lifecycle"
)

// TTLAttribute is the table's TTL attribute; template.yaml must name the same.
const TTLAttribute = "expiresTTL"

// SweepShards is how many GSI2 partitions the sweeper reads; spreading due
// items keeps any one partition's write rate low when many tokens are used.
const SweepShards = 16

// Index names, as in template.yaml.
const (
	IndexByOwner  = "GSI1"
	IndexDeadline = "GSI2"
	IndexAdmins   = "GSI3"
)

// Record is the token item. Attribute names are part of the contract
// (docs/table.md): tests and ops age items by editing them.
type Record struct {
	PK string `dynamodbav:"PK"`
	SK string `dynamodbav:"SK"`

	ID             string   `dynamodbav:"id"`
	Owner          string   `dynamodbav:"owner"`
	Name           string   `dynamodbav:"name"`
	Description    string   `dynamodbav:"description,omitempty"`
	Scopes         []string `dynamodbav:"scopes,stringset"`
	SecretHash     []byte   `dynamodbav:"secretHash"`
	KeyID          string   `dynamodbav:"keyId"`
	PrevSecretHash []byte   `dynamodbav:"prevSecretHash,omitempty"`
	PrevKeyID      string   `dynamodbav:"prevKeyId,omitempty"`
	PrevValidUntil int64    `dynamodbav:"prevValidUntil,omitempty"`
	Status         string   `dynamodbav:"status"`
	CreatedAt      int64    `dynamodbav:"createdAt"`
	UpdatedAt      int64    `dynamodbav:"updatedAt"`
	ExpiresAt      int64    `dynamodbav:"expiresAt"`
	LastUsedAt     int64    `dynamodbav:"lastUsedAt,omitempty"`
	LastUsedIP     string   `dynamodbav:"lastUsedIp,omitempty"`
	AllowedCIDRs   []string `dynamodbav:"allowedCidrs,stringset,omitempty"`
	BlockedIPs     []string `dynamodbav:"blockedIps,stringset,omitempty"`
	Version        int64    `dynamodbav:"version"`
	ExpiresTTL     int64    `dynamodbav:"expiresTTL"`

	// Beyond the contract's list: lifecycle facts the sweeper and validate need
	// from the one item they read.
	Lifetime      int64 `dynamodbav:"lifetime,omitempty"` // seconds asked at issue; regenerate and copy reuse it
	SecretAt      int64 `dynamodbav:"secretAt,omitempty"` // when the current secret was made: the maximum lifetime counts from here
	ActivatedAt   int64 `dynamodbav:"activatedAt,omitempty"`
	RevokedAt     int64 `dynamodbav:"revokedAt,omitempty"`
	ExpiredAt     int64 `dynamodbav:"expiredAt,omitempty"`
	NotifiedAt    int64 `dynamodbav:"notifiedAt,omitempty"`
	OwnerDisabled bool  `dynamodbav:"ownerDisabled,omitempty"`
	// Plan is its owner's plan, copied onto the token (as OwnerDisabled is)
	// so validate narrows its scopes from the one item it reads; "" is the
	// deployment's default plan.
	Plan string `dynamodbav:"plan,omitempty"`
	// Quota is its owner's quota override, copied as Plan is
	// ("<requests>/<period>"; "" the plan's own).
	Quota string `dynamodbav:"quota,omitempty"`
	// UsageKey is its owner's API Gateway API key value
	// (shared/usagekey), copied as Plan is: a REST API's authorizer
	// answer names it as usageIdentifierKey. "" for none.
	UsageKey string `dynamodbav:"usageKey,omitempty"`
	// Metadata is the caller's own key/value pairs (manage.CheckMetadata),
	// passed to the API behind the authorizer as meta_<key>.
	Metadata map[string]string `dynamodbav:"metadata,omitempty"`
	// OwnerMetadata and OwnerMetaSum are the owner's, copied as Plan is.
	OwnerMetadata map[string]string `dynamodbav:"ownerMetadata,omitempty"`
	OwnerMetaSum  string            `dynamodbav:"ownerMetaSum,omitempty"`
	// Admin marks a token whose scopes carry tokens:admin; while it is not
	// revoked it sits in the sparse GSI3, so "who else can administer" is one
	// small query (the lockout rule of owner status changes).
	Admin bool `dynamodbav:"admin,omitempty"`

	GSI1PK string `dynamodbav:"GSI1PK"`
	GSI1SK string `dynamodbav:"GSI1SK"`
	GSI2PK string `dynamodbav:"GSI2PK"`
	GSI2SK string `dynamodbav:"GSI2SK"`
	GSI3PK string `dynamodbav:"GSI3PK,omitempty"`
	GSI3SK string `dynamodbav:"GSI3SK,omitempty"`
}

// SecretMadeAt is when the current secret was made (issue or regenerate);
// items written before secretAt existed fall back to createdAt.
func (t *Record) SecretMadeAt() int64 {
	if t.SecretAt != 0 {
		return t.SecretAt
	}
	return t.CreatedAt
}

// LifetimeOrDefault is the lifetime regenerate and copy reuse: the one
// recorded, or for older items the span the token was issued with.
func (t *Record) LifetimeOrDefault() int64 {
	if t.Lifetime > 0 {
		return t.Lifetime
	}
	return t.ExpiresAt - t.CreatedAt
}

// Times returns the facts the lifecycle rules need.
func (t *Record) Times() lifecycle.Times {
	return lifecycle.Times{
		Status:      t.Status,
		CreatedAt:   t.CreatedAt,
		ExpiresAt:   t.ExpiresAt,
		LastUsedAt:  t.LastUsedAt,
		ActivatedAt: t.ActivatedAt,
		RevokedAt:   t.RevokedAt,
		ExpiredAt:   t.ExpiredAt,
		NotifiedAt:  t.NotifiedAt,
	}
}

// Clone returns a deep copy, so callers can edit a token without touching
// the version they read (the optimistic-lock baseline).
func (t *Record) Clone() *Record {
	c := *t
	c.Scopes = append([]string(nil), t.Scopes...)
	c.AllowedCIDRs = append([]string(nil), t.AllowedCIDRs...)
	c.BlockedIPs = append([]string(nil), t.BlockedIPs...)
	c.SecretHash = append([]byte(nil), t.SecretHash...)
	c.PrevSecretHash = append([]byte(nil), t.PrevSecretHash...)
	c.Metadata = maps.Clone(t.Metadata)
	c.OwnerMetadata = maps.Clone(t.OwnerMetadata)
	return &c
}

func tokenPK(id string) string         { return "TOKEN#" + id }
func ownerPK(owner string) string      { return "OWNER#" + owner }
func namePK(owner, name string) string { return "NAME#" + owner + "#" + name }
func ipSK(ip string) string            { return "IP#" + ip }

const (
	metaSK  = "META"
	nameSK  = "NAME"
	auditSK = "AUDIT#"
	ipSKPre = "IP#"
	claimSK = "IDEM"
	// adminsPK is GSI3's one partition: admin tokens are few.
	adminsPK = "ADMINS"
)

// shard spreads tokens over the sweeper's GSI2 partitions by id.
func shard(id string) int {
	h := fnv.New32a()
	h.Write([]byte(id))
	return int(h.Sum32() % SweepShards)
}

func sweepPK(shard int) string { return fmt.Sprintf("SWEEP#%02d", shard) }

// sortTime zero-pads epoch seconds so string order is time order.
func sortTime(epoch int64) string { return fmt.Sprintf("%012d", max(epoch, 0)) }

// derive sets every attribute computed from the others. Each write calls it,
// so expiresTTL and the sweeper's deadline move whenever the facts move.
func derive(t *Record, r lifecycle.Rules) {
	t.PK, t.SK = tokenPK(t.ID), metaSK
	t.GSI1PK = ownerPK(t.Owner)
	t.GSI1SK = sortTime(t.CreatedAt) + "#" + t.ID
	t.ExpiresTTL = r.ExpiresTTL(t.Times())
	t.GSI2PK = sweepPK(shard(t.ID))
	t.GSI2SK = sortTime(r.NextDeadline(t.Times())) + "#" + t.ID
	t.GSI3PK, t.GSI3SK = "", ""
	if t.Admin && t.Status != lifecycle.StatusRevoked {
		t.GSI3PK, t.GSI3SK = adminsPK, t.Owner+"#"+t.ID
	}
}
