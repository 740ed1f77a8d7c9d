package extension

import (
	"fmt"
	"net/http"
)

// APIError is an answer of the Extensions API other than 200. 500 means
// the environment is ending ("Container error. Non-recoverable state.
// Extension should exit promptly."); 400 and 403 are refusals.
type APIError struct {
	Op     string // register or next
	Status int
}

func (e *APIError) Error() string {
	return fmt.Sprintf("extension: %s: Extensions API answered %d %s", e.Op, e.Status, http.StatusText(e.Status))
}

// Ending reports the environment is going away, not a refusal.
func (e *APIError) Ending() bool { return e.Status == http.StatusInternalServerError }
