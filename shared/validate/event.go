package validate

import (
	"bytes"
	"unsafe"
)

// maxParams bounds the path parameters the fast path keeps; a route with
// more takes the encoding/json path.
const maxParams = 8

type param struct{ name, value string }

// event is what the fast path reads from a payload. Its strings are views
// of the payload (no copy), so nothing may keep them past the invocation.
type event struct {
	version, typ, methodArn, routeArn, routeKey, rawPath string
	resource, httpMethod                                 string
	stage, method, sourceIP, identitySourceIP            string
	identity0, authHeader, mvAuth                        string
	authToken, token, route, directIP                    string
	stageKeymint                                         string // stageVariables.keymint
	hasAuthToken, hasToken, hasAuthHeader                bool
	identityNotArray                                     bool
	params                                               [maxParams]param
	nparams                                              int
}

// view is b as a string without a copy: valid while the payload is, and
// the payload is not written during an invocation.
func view(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// param is a path parameter by name ("" when absent).
func (e *event) param(name string) string {
	if i := e.paramIndex(name); i >= 0 {
		return e.params[i].value
	}
	return ""
}

func (e *event) paramIndex(name string) int {
	for i := range e.nparams {
		if e.params[i].name == name {
			return i
		}
	}
	return -1
}

// topField names a top-level field the encoding/json path decodes; its
// value is the field's place in topKeys and its bit in parseEvent's seen
// set (so there must stay fewer than 32).
type topField int

const (
	noField topField = iota - 1
	fieldVersion
	fieldType
	fieldMethodArn
	fieldRouteArn
	fieldIdentitySource
	fieldRouteKey
	fieldRawPath
	fieldHeaders
	fieldMultiValueHeaders
	fieldPathParameters
	fieldRequestContext
	fieldAuthorizationToken
	fieldResource
	fieldHTTPMethod
	fieldToken
	fieldRoute
	fieldSourceIP
	fieldStageVariables
	numTopFields
)

// The seen set is a uint32: this fails to compile past 32 fields.
const _ = uint32(32 - numTopFields)

// topKeys spells each topField as the events types do. A key that differs
// from one of them only in case is one encoding/json would still match,
// and a repeated one it would merge, so the fast path leaves such payloads
// to it.
var topKeys = [numTopFields]string{
	fieldVersion:            "version",
	fieldType:               "type",
	fieldMethodArn:          "methodArn",
	fieldRouteArn:           "routeArn",
	fieldIdentitySource:     "identitySource",
	fieldRouteKey:           "routeKey",
	fieldRawPath:            "rawPath",
	fieldHeaders:            "headers",
	fieldMultiValueHeaders:  "multiValueHeaders",
	fieldPathParameters:     "pathParameters",
	fieldRequestContext:     "requestContext",
	fieldAuthorizationToken: "authorizationToken",
	fieldResource:           "resource",
	fieldHTTPMethod:         "httpMethod",
	fieldToken:              "token",
	fieldRoute:              "route",
	fieldSourceIP:           "sourceIp",
	fieldStageVariables:     "stageVariables",
}

// contextField names requestContext's fields the same way, with their
// bits in parseRequestContext's seen set.
type contextField int

const (
	contextStage contextField = iota
	contextHTTP
	contextIdentity
	numContextFields
)

var contextKeys = [numContextFields]string{
	contextStage:    "stage",
	contextHTTP:     "http",
	contextIdentity: "identity",
}

// The bits of the seen sets inside requestContext.http and
// requestContext.identity.
const (
	httpMethodBit = iota
	httpSourceIPBit
)

const identitySourceIPBit = 0

// once marks key i seen; false (and a failure) if it was already.
func (s *scanner) once(seen *uint32, i int) bool {
	if *seen&(1<<i) != 0 {
		return s.fail()
	}
	*seen |= 1 << i
	return true
}

// folds reports a key encoding/json would match to one of known though it
// is not spelt exactly so.
func folds(key []byte, known []string) bool {
	ascii := true
	for _, c := range key {
		if c >= 0x80 {
			ascii = false
			break
		}
	}
	for _, k := range known {
		// ASCII folds only to ASCII of the same length; other keys may
		// fold across lengths (the Kelvin sign is k).
		if ascii && len(key) != len(k) {
			continue
		}
		if bytes.EqualFold(key, []byte(k)) {
			return true
		}
	}
	return false
}

// parseEvent reads payload into e; ok is false when the fast path cannot
// be sure to read it as encoding/json would (the caller then uses it).
func parseEvent(payload []byte, e *event) (ok bool) {
	s := scanner{b: payload}
	var seen uint32
	s.object(func(key []byte) bool {
		f := topField(topIndex(key))
		if f == noField {
			if folds(key, topKeys[:]) {
				return s.fail()
			}
			return s.skip()
		}
		if !s.once(&seen, int(f)) {
			return false
		}
		switch f {
		case fieldVersion:
			e.version = view(s.value())
		case fieldType:
			e.typ = view(s.value())
		case fieldMethodArn:
			e.methodArn = view(s.value())
		case fieldRouteArn:
			e.routeArn = view(s.value())
		case fieldIdentitySource:
			if s.peek() != '[' {
				// A string here is an HTTP API 1.0 or REST event; only the
				// 2.0 shape decodes it, and refuses anything but an array.
				e.identityNotArray = true
				return s.skip()
			}
			return s.array(func(i int) bool {
				if i > 0 {
					return s.text()
				}
				e.identity0 = view(s.value())
				return !s.bad
			})
		case fieldRouteKey:
			e.routeKey = view(s.value())
		case fieldRawPath:
			e.rawPath = view(s.value())
		case fieldHeaders:
			return s.object(func(k []byte) bool {
				if !bytes.EqualFold(k, []byte("authorization")) {
					return s.text()
				}
				// encoding/json's map holds one key per spelling, and the
				// header lookup takes whichever folds to it first in
				// random map order: with two such headers the answer is
				// not defined, so the fast path declines them.
				if e.hasAuthHeader {
					return s.fail()
				}
				e.authHeader, e.hasAuthHeader = view(s.value()), true
				return !s.bad
			})
		case fieldMultiValueHeaders:
			var first bool
			return s.object(func(k []byte) bool {
				if string(k) != "Authorization" {
					return s.array(func(int) bool { return s.text() })
				}
				if first {
					return s.fail()
				}
				first = true
				return s.array(func(i int) bool {
					if i > 0 {
						return s.text()
					}
					e.mvAuth = view(s.value())
					return !s.bad
				})
			})
		case fieldPathParameters:
			return s.object(func(k []byte) bool {
				v := view(s.value())
				if e.paramIndex(view(k)) >= 0 || e.nparams == maxParams || s.bad {
					return s.fail()
				}
				e.params[e.nparams] = param{view(k), v}
				e.nparams++
				return true
			})
		case fieldRequestContext:
			return parseRequestContext(&s, e)
		case fieldAuthorizationToken:
			if s.peek() == 'n' { // null: absent, as a *string reads it
				return s.skip()
			}
			e.authToken, e.hasAuthToken = view(s.value()), true
		case fieldResource:
			e.resource = view(s.value())
		case fieldHTTPMethod:
			e.httpMethod = view(s.value())
		case fieldToken:
			if s.peek() == 'n' {
				return s.skip()
			}
			e.token, e.hasToken = view(s.value()), true
		case fieldRoute:
			e.route = view(s.value())
		case fieldSourceIP:
			e.directIP = view(s.value())
		case fieldStageVariables:
			var seen bool
			return s.object(func(k []byte) bool {
				if string(k) != stageVariable {
					return s.text()
				}
				if seen {
					return s.fail()
				}
				seen = true
				e.stageKeymint = view(s.value())
				return !s.bad
			})
		}
		return !s.bad
	})
	return s.end()
}

// topIndex is key's place in topKeys (its topField), or -1. A switch, not
// a loop over topKeys: it runs for every key of every event, and Go
// compiles a string switch to a search on length and bytes.
// TestTopIndexFollowsTopKeys holds it to topKeys.
func topIndex(key []byte) int {
	switch string(key) {
	case "version":
		return int(fieldVersion)
	case "type":
		return int(fieldType)
	case "methodArn":
		return int(fieldMethodArn)
	case "routeArn":
		return int(fieldRouteArn)
	case "identitySource":
		return int(fieldIdentitySource)
	case "routeKey":
		return int(fieldRouteKey)
	case "rawPath":
		return int(fieldRawPath)
	case "headers":
		return int(fieldHeaders)
	case "multiValueHeaders":
		return int(fieldMultiValueHeaders)
	case "pathParameters":
		return int(fieldPathParameters)
	case "requestContext":
		return int(fieldRequestContext)
	case "authorizationToken":
		return int(fieldAuthorizationToken)
	case "resource":
		return int(fieldResource)
	case "httpMethod":
		return int(fieldHTTPMethod)
	case "token":
		return int(fieldToken)
	case "route":
		return int(fieldRoute)
	case "sourceIp":
		return int(fieldSourceIP)
	case "stageVariables":
		return int(fieldStageVariables)
	}
	return int(noField)
}

func parseRequestContext(s *scanner, e *event) bool {
	var seen uint32
	return s.object(func(key []byte) bool {
		switch string(key) {
		case "stage":
			if !s.once(&seen, int(contextStage)) {
				return false
			}
			e.stage = view(s.value())
		case "http":
			if !s.once(&seen, int(contextHTTP)) {
				return false
			}
			var in uint32
			return s.object(func(k []byte) bool {
				switch string(k) {
				case "method":
					if !s.once(&in, httpMethodBit) {
						return false
					}
					e.method = view(s.value())
				case "sourceIp":
					if !s.once(&in, httpSourceIPBit) {
						return false
					}
					e.sourceIP = view(s.value())
				default:
					if folds(k, []string{"method", "sourceIp"}) {
						return s.fail()
					}
					return s.skip()
				}
				return !s.bad
			})
		case "identity":
			if !s.once(&seen, int(contextIdentity)) {
				return false
			}
			var in uint32
			return s.object(func(k []byte) bool {
				if string(k) == "sourceIp" {
					if !s.once(&in, identitySourceIPBit) {
						return false
					}
					e.identitySourceIP = view(s.value())
					return !s.bad
				}
				if folds(k, []string{"sourceIp"}) {
					return s.fail()
				}
				return s.skip()
			})
		default:
			if folds(key, contextKeys[:]) {
				return s.fail()
			}
			return s.skip()
		}
		return !s.bad
	})
}
