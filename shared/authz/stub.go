package authz

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/keymint/keymint/shared/app"
)

// STUB: the token core work fills this in.
type Handler struct{ a *app.App }

func NewHandler(a *app.App) *Handler { return &Handler{a: a} }

// Handle answers any authorizer or direct-invoke shape. A token that is
// missing/malformed/unknown/expired/revoked/inactive yields the error "Unauthorized".
func (h *Handler) Handle(ctx context.Context, payload json.RawMessage) (any, error) {
	return nil, errors.New("Unauthorized")
}
