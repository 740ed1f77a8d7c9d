// Package store is keymint's single-table DynamoDB layout (docs/table.md):
// tokens, name reservations, IP usage, audit events and owners. Every state
// change is conditional (attribute_not_exists on create, version plus
// lastUsedAt for optimistic locking) and every multi-item change is one
// transaction, so a failed write leaves nothing half-done. Failed conditions
// come back as domain errors (ErrNameTaken, ErrConflict, ...), not faults.
//
// A token's item is a Record (item.go; token.Token is the parsed
// credential). Owner code is split as in shared/manage: owner.go is one
// owner's item (its name rule, read and writes), owners.go what spans many
// items (the owners list, an owner's tokens counted or marked).
// keyusage.go counts the tokens each pepper key still serves; the table's
// own keys and indexes are item.go's.
package store
