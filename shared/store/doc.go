// Package store is keymint's single-table DynamoDB layout (docs/table.md):
// tokens, name reservations, IP usage, audit events and owners. Every state
// change is conditional (attribute_not_exists on create, version plus
// lastUsedAt for optimistic locking) and every multi-item change is one
// transaction, so a failed write leaves nothing half-done. Failed conditions
// come back as domain errors (ErrNameTaken, ErrConflict, ...), not faults.
package store
