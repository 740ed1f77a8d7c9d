package api

import (
	"time"

	"github.com/keymint/keymint/shared/audit"
	"github.com/keymint/keymint/shared/lifecycle"
	"github.com/keymint/keymint/shared/store"
)

// TokenView is a token as clients see it. Token (the plaintext) is set only
// in the one response that issues it.
type TokenView struct {
	ID             string     `json:"id"`
	Token          string     `json:"token,omitempty"`
	Name           string     `json:"name"`
	Description    string     `json:"description"`
	Owner          string     `json:"owner"`
	Scopes         []string   `json:"scopes"`
	Status         string     `json:"status"`
	CreatedAt      time.Time  `json:"createdAt"`
	UpdatedAt      time.Time  `json:"updatedAt"`
	ExpiresAt      time.Time  `json:"expiresAt"`
	LastUsedAt     *time.Time `json:"lastUsedAt,omitempty"`
	LastUsedIP     string     `json:"lastUsedIp,omitempty"`
	AllowedCIDRs   []string   `json:"allowedCidrs"`
	BlockedIPs     []string   `json:"blockedIps"`
	PrevValidUntil *time.Time `json:"prevValidUntil,omitempty"`
	RevokedAt      *time.Time `json:"revokedAt,omitempty"`
	OwnerDisabled  bool       `json:"ownerDisabled,omitempty"`
	// Metadata is the caller's own pairs, passed on as meta_<key>.
	Metadata map[string]string `json:"metadata,omitempty"`
	// ScopesOutsidePlan are the token's scopes its owner's plan does not
	// grant (after a move to a smaller plan): they open nothing until the
	// owner's plan grants them again.
	ScopesOutsidePlan []string `json:"scopesOutsidePlan,omitempty"`
}

// IssuedView answers a create or regenerate: the token with its secret
// and, when issuing or copying revoked the owner's other tokens under the
// single-token policy, which ones (so the caller can say so).
type IssuedView struct {
	TokenView
	Replaced []ReplacedView `json:"replaced,omitempty"`
}

// ReplacedView names a token revoked to make room for a new one.
type ReplacedView struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

func epoch(s int64) time.Time { return time.Unix(s, 0).UTC() }

func optEpoch(s int64) *time.Time {
	if s == 0 {
		return nil
	}
	t := epoch(s)
	return &t
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func viewOf(t *store.Record, now time.Time, rules lifecycle.Rules) TokenView {
	v := TokenView{
		ID: t.ID, Name: t.Name, Description: t.Description, Owner: t.Owner,
		Scopes: nonNil(t.Scopes), Status: rules.Status(t.Times(), now),
		CreatedAt: epoch(t.CreatedAt), UpdatedAt: epoch(t.UpdatedAt), ExpiresAt: epoch(t.ExpiresAt),
		LastUsedAt: optEpoch(t.LastUsedAt), LastUsedIP: t.LastUsedIP,
		AllowedCIDRs: nonNil(t.AllowedCIDRs), BlockedIPs: nonNil(t.BlockedIPs),
		RevokedAt: optEpoch(t.RevokedAt), OwnerDisabled: t.OwnerDisabled, Metadata: t.Metadata,
	}
	if t.PrevValidUntil > now.Unix() {
		v.PrevValidUntil = optEpoch(t.PrevValidUntil)
	}
	return v
}

// ListView is a page of a list.
type ListView[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"nextCursor,omitempty"`
}

// UsageView is one source IP's use of a token.
type UsageView struct {
	IP        string    `json:"ip"`
	FirstSeen time.Time `json:"firstSeen"`
	LastSeen  time.Time `json:"lastSeen"`
	Count     int64     `json:"count"`
}

// AuditView is one audit event.
type AuditView struct {
	At       time.Time      `json:"at"`
	Action   audit.Action   `json:"action"`
	Actor    string         `json:"actor"`
	SourceIP string         `json:"sourceIp,omitempty"`
	TokenID  string         `json:"tokenId,omitempty"`
	Owner    string         `json:"owner,omitempty"` // owner events (status changes)
	Details  map[string]any `json:"details,omitempty"`
}
