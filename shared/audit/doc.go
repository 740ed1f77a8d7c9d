// Package audit describes the audit trail: one event per state change, written
// by the store in the same transaction as the change it records, never holding
// a secret.
package audit
