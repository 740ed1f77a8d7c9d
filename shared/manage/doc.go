// Package manage holds the token management operations
// (issue, edit, regenerate, copy, deactivate/activate, revoke, IP blocks,
// owner status, reads). It checks input and authority, builds the new state
// and hands it to the store as one conditional transaction with its audit
// event. It knows nothing of HTTP; package api maps it to routes.
package manage
