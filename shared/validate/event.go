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

// topKeys are the top-level fields the encoding/json path decodes, in the
// order of the seen bits. A key that differs from one of them only in case
// is one encoding/json would still match, and a repeated one it would
// merge, so the fast path leaves such payloads to it.
var topKeys = [...]string{"version", "type", "methodArn", "routeArn", "identitySource", "routeKey", "rawPath",
	"headers", "multiValueHeaders", "pathParameters", "requestContext", "authorizationToken", "resource",
	"httpMethod", "token", "route", "sourceIp", "stageVariables"}

var contextKeys = [...]string{"stage", "http", "identity"}

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
		i := topIndex(key)
		if i < 0 {
			if folds(key, topKeys[:]) {
				return s.fail()
			}
			return s.skip()
		}
		if !s.once(&seen, i) {
			return false
		}
		switch i {
		case 0:
			e.version = view(s.value())
		case 1:
			e.typ = view(s.value())
		case 2:
			e.methodArn = view(s.value())
		case 3:
			e.routeArn = view(s.value())
		case 4:
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
		case 5:
			e.routeKey = view(s.value())
		case 6:
			e.rawPath = view(s.value())
		case 7:
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
		case 8:
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
		case 9:
			return s.object(func(k []byte) bool {
				v := view(s.value())
				if e.paramIndex(view(k)) >= 0 || e.nparams == maxParams || s.bad {
					return s.fail()
				}
				e.params[e.nparams] = param{view(k), v}
				e.nparams++
				return true
			})
		case 10:
			return parseRequestContext(&s, e)
		case 11:
			if s.peek() == 'n' { // null: absent, as a *string reads it
				return s.skip()
			}
			e.authToken, e.hasAuthToken = view(s.value()), true
		case 12:
			e.resource = view(s.value())
		case 13:
			e.httpMethod = view(s.value())
		case 14:
			if s.peek() == 'n' {
				return s.skip()
			}
			e.token, e.hasToken = view(s.value()), true
		case 15:
			e.route = view(s.value())
		case 16:
			e.directIP = view(s.value())
		case 17:
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

// topIndex is key's place in topKeys, or -1.
func topIndex(key []byte) int {
	switch string(key) {
	case "version":
		return 0
	case "type":
		return 1
	case "methodArn":
		return 2
	case "routeArn":
		return 3
	case "identitySource":
		return 4
	case "routeKey":
		return 5
	case "rawPath":
		return 6
	case "headers":
		return 7
	case "multiValueHeaders":
		return 8
	case "pathParameters":
		return 9
	case "requestContext":
		return 10
	case "authorizationToken":
		return 11
	case "resource":
		return 12
	case "httpMethod":
		return 13
	case "token":
		return 14
	case "route":
		return 15
	case "sourceIp":
		return 16
	case "stageVariables":
		return 17
	}
	return -1
}

func parseRequestContext(s *scanner, e *event) bool {
	var seen uint32
	return s.object(func(key []byte) bool {
		switch string(key) {
		case "stage":
			if !s.once(&seen, 0) {
				return false
			}
			e.stage = view(s.value())
		case "http":
			if !s.once(&seen, 1) {
				return false
			}
			var in uint32
			return s.object(func(k []byte) bool {
				switch string(k) {
				case "method":
					if !s.once(&in, 0) {
						return false
					}
					e.method = view(s.value())
				case "sourceIp":
					if !s.once(&in, 1) {
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
			if !s.once(&seen, 2) {
				return false
			}
			var in uint32
			return s.object(func(k []byte) bool {
				if string(k) == "sourceIp" {
					if !s.once(&in, 0) {
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
