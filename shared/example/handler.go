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

// Handle answers one request of ExampleApi, an HTTP API (payload 2.0).
func Handle(_ context.Context, req events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	var lambdaCtx map[string]any
	if a := req.RequestContext.Authorizer; a != nil {
		lambdaCtx = a.Lambda
	}
	r := serve(call{
		route: req.RouteKey, params: req.PathParameters, body: req.Body, base64: req.IsBase64Encoded,
		authorizer: lambdaCtx, authorizerAt: "requestContext.authorizer.lambda",
	})
	return events.APIGatewayV2HTTPResponse{StatusCode: r.status, Headers: map[string]string{"Content-Type": r.contentType}, Body: r.body}, nil
}

// call is one request, whichever API it came through.
type call struct {
	route        string // "GET /orders/{id}"
	params       map[string]string
	body         string
	base64       bool
	authorizer   map[string]any // the authorizer's context
	authorizerAt string         // where the event holds it, for the error
}

// reply is the answer, whichever API takes it back.
type reply struct {
	status      int
	contentType string
	body        string
}

func serve(c call) reply {
	caller, ok := callerOf(c.authorizer)
	if !ok {
		// Only a misconfigured API lets a request through without keymint's
		// authorizer; say so rather than answer anonymously.
		return problem(http.StatusInternalServerError, "no caller in "+c.authorizerAt+": this backend must sit behind keymint's authorizer")
	}
	a := answer{Example: Banner, Route: c.route, Caller: caller}
	id := c.params["id"]
	status := http.StatusOK
	switch c.route {
	case RouteListOrders:
		a.Orders = sample()
	case RouteGetOrder:
		a.Order = orderByID(id)
	case RouteCreateOrder, RoutePutOrder:
		body, err := objectBody(c.body, c.base64)
		if err != nil {
			return problem(http.StatusBadRequest, "the body must be a JSON object (the order): "+err.Error())
		}
		if c.route == RoutePutOrder {
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
		a.Report = &report{Path: c.params["proxy"], Rows: [][]string{{"month", "orders"}, {"2026-01", "17"}, {"2026-02", "23"}}}
	default:
		return problem(http.StatusNotFound, "the example API has no route "+c.route)
	}
	return jsonReply(status, "application/json", a)
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
func objectBody(text string, isBase64 bool) (map[string]any, error) {
	raw := []byte(text)
	if isBase64 {
		var err error
		if raw, err = base64.StdEncoding.DecodeString(text); err != nil {
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
func problem(status int, detail string) reply {
	return jsonReply(status, "application/problem+json", map[string]any{
		"type":   "about:blank",
		"title":  http.StatusText(status),
		"status": status,
		"detail": detail,
	})
}

func jsonReply(status int, contentType string, v any) reply {
	b, err := json.Marshal(v)
	if err != nil {
		// Every value here is made of strings, numbers, maps and slices
		// decoded from JSON: it encodes.
		panic("example: encode answer: " + err.Error())
	}
	return reply{status: status, contentType: contentType, body: string(b)}
}
