package api

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/aws/aws-lambda-go/events"
	"github.com/keymint/keymint/shared/app"
)

// STUB signatures: the token core work fills these in.

type Issue struct{ a *app.App }

func NewIssue(a *app.App) *Issue { return &Issue{a: a} }

// Handle takes an HTTP API v2 event or an ops direct invoke {"owner","name","scopes",...}.
func (h *Issue) Handle(ctx context.Context, payload json.RawMessage) (any, error) {
	return events.APIGatewayV2HTTPResponse{StatusCode: http.StatusNotImplemented}, nil
}

type Revoke struct{ a *app.App }

func NewRevoke(a *app.App) *Revoke { return &Revoke{a: a} }

func (h *Revoke) Handle(ctx context.Context, req events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	return events.APIGatewayV2HTTPResponse{StatusCode: http.StatusNotImplemented}, nil
}

type Describe struct{ a *app.App }

func NewDescribe(a *app.App) *Describe { return &Describe{a: a} }

func (h *Describe) Handle(ctx context.Context, req events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	return events.APIGatewayV2HTTPResponse{StatusCode: http.StatusNotImplemented}, nil
}
