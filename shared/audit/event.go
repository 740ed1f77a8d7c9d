package audit

import "time"

// Action names what changed.
type Action string

// The actions keymint records.
const (
	Issue       Action = "issue"
	Edit        Action = "edit"
	Regenerate  Action = "regenerate"
	Copy        Action = "copy"
	Deactivate  Action = "deactivate"
	Activate    Action = "activate"
	Revoke      Action = "revoke"
	BlockIP     Action = "block_ip"
	UnblockIP   Action = "unblock_ip"
	OwnerStatus Action = "owner_status"
	OwnerPolicy Action = "owner_policy"
	Inactivate  Action = "inactivate" // sweeper: unused too long
	Expire      Action = "expire"     // sweeper: past expiresAt
	Notify      Action = "notify"     // sweeper: expiring soon
	Delete      Action = "delete"     // sweeper: TTL backstop
)

// SweeperActor is the actor of events the sweeper writes.
const SweeperActor = "system:sweeper"

// Event is one audit record. Details carry what changed (field names and
// new values, never secrets or hashes).
type Event struct {
	TokenID  string         `json:"tokenId,omitempty" dynamodbav:"tokenId"`
	Owner    string         `json:"owner,omitempty" dynamodbav:"owner"` // set for owner-level events (no token)
	At       time.Time      `json:"at" dynamodbav:"-"`
	Action   Action         `json:"action" dynamodbav:"action"`
	Actor    string         `json:"actor" dynamodbav:"actor"`
	SourceIP string         `json:"sourceIp,omitempty" dynamodbav:"sourceIp,omitempty"`
	Details  map[string]any `json:"details,omitempty" dynamodbav:"details,omitempty"`
}
