// Package manage holds the token management operations
// (issue, edit, regenerate, copy, deactivate/activate, revoke, IP blocks,
// owner status, reads). It checks input and authority, builds the new state
// and hands it to the store as one conditional transaction with its audit
// event. It knows nothing of HTTP; package api maps it to routes.
//
// owner.go holds what is done to one owner (status, policy, reads, why it
// refuses a token); owners.go the owners list, split as in shared/store.
package manage
