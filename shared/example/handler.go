package example

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/aws/aws-lambda-go/events"
)

// Banner is in every answer, so nobody mistakes the example for a service.
const Banner = "keymint example API (not a real backend)"

// The routes ExampleFunction serves; template.yaml declares them on
// ExampleApi (infra/templatecheck holds the two to each other).
const (
	RouteListOrders  = "GET /orders"
	RouteGetOrder    = "GET /orders/{id}"
	RouteCreateOrder = "POST /orders"
	RoutePutOrder    = "PUT /orders/{id}"
	RouteDeleteOrder = "DELETE /orders/{id}"
	RouteReport      = "GET /reports/{proxy+}"
)

// Routes lists the example's routes.
func Routes() []string {
	return []string{RouteListOrders, RouteGetOrder, RouteCreateOrder, RoutePutOrder, RouteDeleteOrder, RouteReport}
}

// answer is every successful reply: the banner, the route served, the
// caller, and a little sample data.
type answer struct {
	Example string  `json:"example"`
	Route   string  `json:"route"`
	Caller  Caller  `json:"caller"`
	Order   any     `json:"order,omitempty"`
	Orders  []order `json:"orders,omitempty"`
	Deleted *order  `json:"deleted,omitempty"`
	Report  *report `json:"report,omitempty"`
	Note    string  `json:"note,omitempty"`
}

type order struct {
	ID       string `json:"id"`
	Item     string `json:"item,omitempty"`
	Quantity int    `json:"quantity,omitempty"`
	Status   string `json:"status,omitempty"`
}

type report struct {
	Path string     `json:"path"`
	Rows [][]string `json:"rows"`
}

// sample is what GET /orders lists: made up, the same every time.
func sample() []order {
	return []order{
		{ID: "41", Item: "blue widget", Quantity: 3, Status: "shipped"},
		{ID: "42", Item: "red widget", Quantity: 1, Status: "packing"},
		{ID: "43", Item: "green gadget", Quantity: 12, Status: "new"},
	}
}

// Handle answers one request of ExampleApi.
func Handle(_ context.Context, req events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	var lambdaCtx map[string]any
	if a := req.RequestContext.Authorizer; a != nil {
		lambdaCtx = a.Lambda
	}
	caller, ok := callerOf(lambdaCtx)
	if !ok {
		// Only a misconfigured API lets a request through without keymint's
		// authorizer; say so rather than answer anonymously.
		return problem(http.StatusInternalServerError, "no caller in requestContext.authorizer.lambda: this backend must sit behind keymint's authorizer"), nil
	}
	a := answer{Example: Banner, Route: req.RouteKey, Caller: caller}
	id := req.PathParameters["id"]
	status := http.StatusOK
	switch req.RouteKey {
	case RouteListOrders:
		a.Orders = sample()
	case RouteGetOrder:
		a.Order = orderByID(id)
	case RouteCreateOrder, RoutePutOrder:
		body, err := objectBody(req)
		if err != nil {
			return problem(http.StatusBadRequest, "the body must be a JSON object (the order): "+err.Error()), nil
		}
		if req.RouteKey == RoutePutOrder {
			body["id"] = id
		} else {
			status = http.StatusCreated
		}
		a.Order = body
		a.Note = "echoed back; the example stores nothing"
	case RouteDeleteOrder:
		a.Deleted = &order{ID: id}
		a.Note = "nothing was stored, so nothing was deleted"
	case RouteReport:
		a.Report = &report{Path: req.PathParameters["proxy"], Rows: [][]string{{"month", "orders"}, {"2026-01", "17"}, {"2026-02", "23"}}}
	default:
		return problem(http.StatusNotFound, "the example API has no route "+req.RouteKey), nil
	}
	return reply(status, "application/json", a), nil
}

// orderByID is the sample order with that id, or a made-up one: every id
// exists in the example.
func orderByID(id string) order {
	for _, o := range sample() {
		if o.ID == id {
			return o
		}
	}
	return order{ID: id, Item: "sample item", Quantity: 1, Status: "new"}
}

// objectBody decodes the request body as one JSON object.
func objectBody(req events.APIGatewayV2HTTPRequest) (map[string]any, error) {
	raw := []byte(req.Body)
	if req.IsBase64Encoded {
		var err error
		if raw, err = base64.StdEncoding.DecodeString(req.Body); err != nil {
			return nil, err
		}
	}
	var body map[string]any
	if err := json.Unmarshal(raw, &body); err != nil {
		return nil, err
	}
	if body == nil {
		return nil, errNotObject
	}
	return body, nil
}

var errNotObject = errors.New("null is not an object")

// problem is an RFC 9457 problem details answer.
func problem(status int, detail string) events.APIGatewayV2HTTPResponse {
	return reply(status, "application/problem+json", map[string]any{
		"type":   "about:blank",
		"title":  http.StatusText(status),
		"status": status,
		"detail": detail,
	})
}

func reply(status int, contentType string, v any) events.APIGatewayV2HTTPResponse {
	b, err := json.Marshal(v)
	if err != nil {
		// Every value here is made of strings, numbers, maps and slices
		// decoded from JSON: it encodes.
		panic("example: encode answer: " + err.Error())
	}
	return events.APIGatewayV2HTTPResponse{
		StatusCode: status,
		Headers:    map[string]string{"Content-Type": contentType},
		Body:       string(b),
	}
}
