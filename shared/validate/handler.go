package validate

import (
	"context"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/keymint/keymint/shared/extension"
	"github.com/keymint/keymint/shared/policy"
)

// Handler is the validate Lambda: it accepts every event shape
// docs/deploy.md lists ("What ValidateFunction answers"), at aws-lambda-go's byte level, so the runtime neither
// decodes the event nor encodes the answer by reflection.
type Handler struct {
	v            *Validator
	cat          *policy.Catalogue
	iamHTTP      bool
	log          *slog.Logger
	simpleDenied []byte
}

var _ lambda.Handler = (*Handler)(nil)

// New wraps a Validator; iamForHTTP answers HTTP API events with an IAM
// policy instead of a simple response (AUTHORIZER_RESPONSE=iam).
func New(v *Validator, cat *policy.Catalogue, iamForHTTP bool, log *slog.Logger) *Handler {
	// encode(events.APIGatewayV2CustomAuthorizerSimpleResponse{}), written
	// out: encoding/json's first use of a type costs a cold start its
	// reflection (TestAnswersAreThoseOfTheEventsTypes holds the bytes).
	return &Handler{v: v, cat: cat, iamHTTP: iamForHTTP, log: log, simpleDenied: []byte(`{"isAuthorized":false}`)}
}

// Invoke recognises the event, decides, and answers in the event's form.
// The event is read by a scanner that takes only the fields validate uses;
// one it cannot be sure to read as encoding/json would goes to
// encoding/json instead, so both read every event alike.
func (h *Handler) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	var in input
	if err := read(payload, &in); err != nil {
		h.log.WarnContext(ctx, "validate: event refused", slog.String("shape", in.shape.String()), slog.Any("error", err))
		return nil, ErrUnauthorized
	}
	switch {
	case in.shape == shapeUnknown:
		h.log.WarnContext(ctx, "validate: unknown event shape")
		return nil, ErrUnauthorized
	case in.badRoute:
		return directAnswer(Decision{Status: MalformedRoute}), nil
	}
	d, err := h.v.Check(ctx, in.req)
	if err == nil && d.Status == Malformed && in.management {
		// Not a keymint token; on the management API it may be a signed-in
		// person's ID token.
		d, err = h.v.CheckPerson(ctx, in.req)
	}
	if err == nil && in.management && h.v.RevokesItself(&in.req, d) {
		d.Status = RevokeSelf
	}
	h.logDecision(ctx, &in, d, err)
	if err != nil {
		return nil, errValidate
	}
	switch in.shape {
	case shapeHTTP:
		return h.httpAnswer(&in, d)
	case shapeDirect:
		return directAnswer(d), nil
	}
	// REST API Lambda authorizers keep REST's documented answers: the
	// "Unauthorized" error is 401, a policy that does not allow the method
	// 403 (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-use-lambda-authorizer.html).
	if d.Status.Unauthenticated() {
		return nil, ErrUnauthorized
	}
	return h.iam(iamREST, in.arnText, in.arn, d), nil
}

// read fills in from the payload: by the scanner when it can, else by
// encoding/json.
func read(payload []byte, in *input) error {
	var e event
	if parseEvent(payload, &e) {
		if ok, err := e.input(in); ok {
			return err
		}
		*in = input{}
	}
	return decodeInput(payload, in)
}

// httpAnswer answers an HTTP API (payload 2.0) authorizer event. AWS
// documents three outcomes there: a missing identity source is 401 before
// the authorizer runs; `isAuthorized: false` (or an IAM policy that does
// not allow the route) is 403; an error or an answer it cannot read is 500
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-lambda-authorizer.html).
// The REST rule that an "Unauthorized" error means 401 is not among them,
// so every denial here is an answer, never an error; why is in the log.
func (h *Handler) httpAnswer(in *input, d Decision) ([]byte, error) {
	if !h.iamHTTP {
		return h.simple(d), nil
	}
	arn, err := policy.ParseMethodARN(in.arnText)
	if err != nil {
		return nil, errValidate
	}
	return h.iam(iamHTTP, in.arnText, arn, d), nil
}

// logDecision logs every refusal and failure; allows only at DEBUG
// (AWS_LAMBDA_LOG_LEVEL), and at no cost when that is off. Never the token.
func (h *Handler) logDecision(ctx context.Context, in *input, d Decision, err error) {
	level, msg := slog.LevelInfo, "validate"
	switch {
	case err != nil:
		level, msg = slog.LevelError, "validate: decision failed, refusing"
	case d.Status == Valid:
		level = slog.LevelDebug
	}
	if !h.log.Enabled(ctx, level) {
		return
	}
	attrs := make([]slog.Attr, 0, 7)
	attrs = append(attrs, slog.String("shape", in.shape.String()), slog.String("route", routeText(in.req)), slog.String("sourceIp", in.req.SourceIP))
	switch {
	case d.Token != nil:
		attrs = append(attrs, slog.String("tokenId", d.Token.ID), slog.String("owner", d.Token.Owner))
	case d.e != nil && d.e.person != nil:
		attrs = append(attrs, slog.String("person", d.e.person.owner))
	}
	if err != nil {
		attrs = append(attrs, slog.Any("error", err))
	} else {
		attrs = append(attrs, slog.String("outcome", string(d.Status)))
	}
	h.log.LogAttrs(ctx, level, msg, attrs...)
}

func routeText(r Request) string {
	if r.Method == "" {
		return r.Path
	}
	return r.Method + " " + r.Path
}

// Function is what ValidateFunction runs, once per cold start: it starts
// the warm-up (Validator.Warm) and, where Lambda's Extensions API answers,
// the internal extension that writes usage after each answer
// (postResponse). keys is the keyring the warm-up loads.
func Function(v *Validator, keys interface{ Load(context.Context) error }, cat *policy.Catalogue, o FunctionOptions, log *slog.Logger) lambda.Handler {
	v.Warm(keys, o.Provisioned)
	h := New(v, cat, o.IAMForHTTP, log)
	after := postResponse(o.Extension, v, log)
	if after == nil {
		return h
	}
	return after.Wrap(h)
}

// FunctionOptions are what Lambda and the deployment tell ValidateFunction
// beyond the Validator's Options.
type FunctionOptions struct {
	// IAMForHTTP answers HTTP API events with an IAM policy
	// (AUTHORIZER_RESPONSE=iam).
	IAMForHTTP bool
	// Provisioned: the environment started ahead of traffic, so the
	// warm-up may read the table too.
	Provisioned bool
	// Extension is the post-response extension's registration, begun by
	// the wiring (extension.Begin, named ExtensionName) with the
	// Extensions API at AWS_LAMBDA_RUNTIME_API; nil where there is none:
	// usage is written before answering.
	Extension *extension.Pending
}

// Post-response phase bounds: the work after one answer stops after
// postResponseBudget, and decisionMargin before the invocation's deadline
// (the function's timeout covers the extension's work too,
// https://docs.aws.amazon.com/lambda/latest/dg/runtimes-extensions-api.html).
const postResponseBudget = time.Second

// ExtensionName is the name validate's post-response extension registers
// under.
const ExtensionName = "keymint-usage"

// postResponse starts the internal extension that runs v.Flush after each
// answer, once its registration (begun during Init, before lambda.Start
// asks for the first invocation) is done. Where there is no Extensions API
// (no AWS_LAMBDA_RUNTIME_API: a test, a process outside Lambda) or it
// refuses, usage is written before answering, as it was, and the log says
// so once.
func postResponse(reg *extension.Pending, v *Validator, log *slog.Logger) *extension.After {
	if reg == nil {
		log.Info("usage is written before answering: no Lambda Extensions API (AWS_LAMBDA_RUNTIME_API unset)")
		return nil
	}
	c, took, waited, err := reg.Wait()
	if err != nil {
		log.Warn("usage is written before answering: the post-response extension did not register", slog.Any("error", err))
		return nil
	}
	// Init time, once per execution environment: the cold-start benchmark
	// reads it. ms is the registration's round trip, waitedMs what of it
	// Init waited for (the rest ran beside the App's building).
	log.Info("post-response extension registered", slog.String("name", ExtensionName),
		slog.Float64("ms", millis(took)), slog.Float64("waitedMs", millis(waited)))
	after := extension.Start(c, v.Flush, extension.Options{Budget: postResponseBudget, Margin: decisionMargin}, log)
	v.WriteAfterAnswer(after.Running)
	return after
}

func millis(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
