package extapi

import (
	"encoding/json"
	"errors"
	"github.com/google/uuid"
	"io"
	"net/http"
	"slices"
	"strings"
)

// Headers of the API
// (https://docs.aws.amazon.com/lambda/latest/dg/runtimes-extensions-api.html#runtimes-extensions-registration-api).
const (
	headerName          = "Lambda-Extension-Name"
	headerIdentifier    = "Lambda-Extension-Identifier"
	headerEventID       = "Lambda-Extension-Event-Identifier"
	headerAcceptFeature = "Lambda-Extension-Accept-Feature"
)

// Events an extension may name in Register.
const (
	EventInvoke   = "INVOKE"
	EventShutdown = "SHUTDOWN"
)

// errorType values of refusals, as AWS's Runtime Interface Emulator names
// them (internal/lambda/rapi/handler and rapi/model); the docs give the
// status codes only.
const (
	errInvalidName         = "Extension.InvalidExtensionName"
	errInvalidRequest      = "InvalidRequestFormat"
	errInvalidEventType    = "Extension.InvalidEventType"
	errRegistrationClosed  = "Extension.RegistrationClosed"
	errTooManyExtensions   = "Extension.TooManyExtensions"
	errInvalidState        = "Extension.InvalidExtensionState"
	errMissingIdentifier   = "Extension.MissingExtensionIdentifier"
	errInvalidIdentifier   = "Extension.InvalidExtensionIdentifier"
	errUnknownIdentifier   = "Extension.UnknownExtensionIdentifier"
	errInternalServerError = "InternalServerError"
)

// refusal is an error answer: its status and, in the API's body shape,
// its errorType and errorMessage.
type refusal struct {
	status    int
	errorType string
	message   string
}

func forbidden(errorType, message string) *refusal {
	return &refusal{http.StatusForbidden, errorType, message}
}

// containerError is what a dying environment answers.
func containerError() *refusal {
	return &refusal{http.StatusInternalServerError, errInternalServerError, "Internal Server Error"}
}

func refuse(w http.ResponseWriter, r *refusal) {
	writeJSON(w, r.status, struct {
		Message string `json:"errorMessage"`
		Type    string `json:"errorType"`
	}{r.message, r.errorType})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// registerAnswer is Register's 200 body; accountId only when asked for
// with Lambda-Extension-Accept-Feature: accountId.
type registerAnswer struct {
	FunctionName    string `json:"functionName"`
	FunctionVersion string `json:"functionVersion"`
	Handler         string `json:"handler"`
	AccountID       string `json:"accountId,omitempty"`
}

// register is POST /2020-01-01/extension/register. Every refusal is 403,
// as in AWS's emulator: the docs list 400 as well but say for what only of
// 403's cases (internal extensions may not register for SHUTDOWN; no more
// than 10), and the emulator answers 403 to all of them.
func (s *Server) register(w http.ResponseWriter, r *http.Request) {
	name := r.Header.Get(headerName)
	if name == "" {
		refuse(w, forbidden(errInvalidName, "Empty extension name"))
		return
	}
	events, no := parseRegister(r.Body)
	if no != nil {
		refuse(w, no)
		return
	}
	s.mu.Lock()
	ext, no := s.addLocked(name, events)
	s.mu.Unlock()
	if no != nil {
		refuse(w, no)
		return
	}
	answer := registerAnswer{FunctionName: s.fn.Name, FunctionVersion: s.fn.Version, Handler: s.fn.Handler}
	for f := range strings.SplitSeq(r.Header.Get(headerAcceptFeature), ",") {
		if strings.TrimSpace(f) == "accountId" {
			answer.AccountID = s.fn.account()
		}
	}
	w.Header().Set(headerIdentifier, ext.id)
	writeJSON(w, http.StatusOK, answer)
}

// parseRegister reads Register's body, {"events": [...]}: JSON it must be
// (an empty body too is refused, as the emulator does), events may be
// absent, and an internal extension may name INVOKE only.
func parseRegister(body io.Reader) ([]string, *refusal) {
	raw, err := io.ReadAll(io.LimitReader(body, 64<<10))
	if err != nil {
		return nil, forbidden(errInvalidRequest, err.Error())
	}
	var req struct {
		Events []string `json:"events"`
		// Deprecated in the API; the emulator refuses it.
		ConfigurationKeys []string `json:"configurationKeys"`
	}
	if err := json.Unmarshal(raw, &req); err != nil {
		return nil, forbidden(errInvalidRequest, err.Error())
	}
	if len(req.ConfigurationKeys) > 0 {
		return nil, forbidden(errInvalidRequest, "configurationKeys are deprecated; use environment variables instead")
	}
	for _, e := range req.Events {
		switch e {
		case EventInvoke:
		case EventShutdown:
			return nil, forbidden(errInvalidEventType, e+": internal extensions may not register for SHUTDOWN")
		default:
			return nil, forbidden(errInvalidEventType, e+": not an event type")
		}
	}
	return req.Events, nil
}

// next is GET /2020-01-01/extension/event/next: it answers the
// extension's next event, waiting for one as long as it takes.
func (s *Server) next(w http.ResponseWriter, r *http.Request) {
	id := r.Header.Get(headerIdentifier)
	switch {
	case id == "":
		refuse(w, forbidden(errMissingIdentifier, "Missing Lambda-Extension-Identifier header"))
		return
	case !isUUID(id):
		refuse(w, forbidden(errInvalidIdentifier, "Invalid Lambda-Extension-Identifier"))
		return
	}
	s.mu.Lock()
	ext := s.byID[id]
	if ext == nil {
		s.mu.Unlock()
		refuse(w, forbidden(errUnknownIdentifier, "Unknown extension "+id))
		return
	}
	ext.calledNext = true
	ext.waiting++
	s.broadcastLocked()
	err := s.awaitLocked(r.Context(), func() bool { return len(ext.queue) > 0 })
	ext.waiting--
	var ev event
	if err == nil {
		ev = ext.queue[0]
		ext.queue = slices.Delete(ext.queue, 0, 1)
	}
	s.broadcastLocked()
	s.mu.Unlock()
	switch {
	case errors.Is(err, ErrClosed):
		refuse(w, containerError())
	case err != nil:
		// The extension hung up; nobody reads an answer.
	default:
		w.Header().Set(headerEventID, uuid.NewString())
		writeJSON(w, http.StatusOK, ev)
	}
}
