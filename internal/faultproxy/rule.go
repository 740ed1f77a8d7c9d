package faultproxy

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// Kind is a fault the proxy can inject.
type Kind int

// The zero Kind is deliberately invalid so a Rule{} with no Kind is rejected
// instead of silently meaning "throttle".
const (
	// Throttle answers HTTP 400 with a DynamoDB throttling exception
	// (ThrottlingException unless Rule.Code says otherwise).
	Throttle Kind = iota + 1
	// ServerError answers HTTP 500 InternalServerError.
	ServerError
	// Unavailable answers HTTP 503 ServiceUnavailable.
	Unavailable
	// Latency holds the request for Rule.Delay, then forwards it. If the
	// client goes away first the request is never forwarded.
	Latency
	// DropBefore closes the client connection without forwarding: the
	// request was sent, nothing happened, and no response comes back.
	DropBefore
	// DropAfter forwards the request, lets DynamoDB complete it, then closes
	// the client connection without the response: the write happened but
	// the client cannot know.
	DropAfter
)

func (k Kind) String() string {
	switch k {
	case Throttle:
		return "Throttle"
	case ServerError:
		return "ServerError"
	case Unavailable:
		return "Unavailable"
	case Latency:
		return "Latency"
	case DropBefore:
		return "DropBefore"
	case DropAfter:
		return "DropAfter"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Rule says which requests get which fault.
//
// A request matches when its operation is in Ops (or Ops is empty). A
// matching request is faulted with probability Prob (always when Prob is 0),
// and the rule retires after faulting Times requests (never when Times is 0,
// so it stays until Clear). Rules are tried in the order they were injected;
// the first one that fires decides the request, so each request gets at most
// one fault.
type Rule struct {
	Kind Kind
	// Ops are operation names as in X-Amz-Target after the dot, e.g.
	// "TransactWriteItems". Empty matches every operation.
	Ops []string
	// Times, when positive, retires the rule after it has faulted that many
	// requests.
	Times int
	// Prob, when non-zero, is the chance in (0, 1] that a matching request is
	// faulted.
	Prob float64
	// Seed seeds the rule's own random source (PCG), so the same requests in
	// the same order are faulted on every run. Concurrent requests race for
	// draws; tests that need reproducibility send requests one at a time.
	Seed uint64
	// Delay is how long Latency holds a request. Required for Latency only.
	Delay time.Duration
	// Code picks the exception a Throttle fault returns. Empty means
	// ThrottlingException; ProvisionedThroughputExceededException and
	// RequestLimitExceeded are the other throttling exceptions DynamoDB
	// documents. Only valid with Throttle.
	Code string
}

// rule is a Rule plus the state it needs while installed.
type rule struct {
	Rule
	ops  map[string]bool
	left int
	rng  *rand.Rand
}

func newRule(r Rule) (*rule, error) {
	if err := r.validate(); err != nil {
		return nil, err
	}
	// Copy Ops: the caller may reuse its slice after Inject returns.
	r.Ops = append([]string(nil), r.Ops...)
	in := &rule{Rule: r, left: r.Times, rng: rand.New(rand.NewPCG(r.Seed, r.Seed))}
	if len(r.Ops) > 0 {
		in.ops = make(map[string]bool, len(r.Ops))
		for _, op := range r.Ops {
			in.ops[op] = true
		}
	}
	return in, nil
}

// ErrBadRule wraps every reason Inject rejects a rule.
var ErrBadRule = errors.New("faultproxy: bad rule")

func (r Rule) validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: "+format, append([]any{ErrBadRule}, args...)...)
	}
	if r.Kind < Throttle || r.Kind > DropAfter {
		return bad("unknown kind %v", r.Kind)
	}
	if r.Times < 0 {
		return bad("Times %d is negative", r.Times)
	}
	// !(p >= 0) also catches NaN.
	if !(r.Prob >= 0) || r.Prob > 1 {
		return bad("Prob %v is outside [0, 1]", r.Prob)
	}
	if r.Kind == Latency && r.Delay <= 0 {
		return bad("Latency needs a positive Delay")
	}
	if r.Kind != Latency && r.Delay != 0 {
		return bad("Delay is only for Latency, not %v", r.Kind)
	}
	if r.Code != "" {
		if r.Kind != Throttle {
			return bad("Code is only for Throttle, not %v", r.Kind)
		}
		if _, ok := throttleMessage(r.Code); !ok {
			return bad("Code %q is not a DynamoDB throttling exception", r.Code)
		}
	}
	for _, op := range r.Ops {
		if op == "" || strings.Contains(op, ".") {
			return bad("operation %q: want a bare name such as PutItem", op)
		}
	}
	return nil
}

// fires reports whether the rule faults a request for op, consuming a random
// draw and one of Times when it does. The caller holds the proxy's lock.
func (r *rule) fires(op string) bool {
	if r.ops != nil && !r.ops[op] {
		return false
	}
	if r.Prob > 0 && r.rng.Float64() >= r.Prob {
		return false
	}
	if r.Times > 0 {
		r.left--
	}
	return true
}

// spent reports whether a Times rule has used up its faults.
func (r *rule) spent() bool { return r.Times > 0 && r.left <= 0 }

// operation extracts "PutItem" from "DynamoDB_20120810.PutItem". Requests
// without the header (not from an AWS SDK) count under "".
func operation(target string) string {
	if i := strings.LastIndexByte(target, '.'); i >= 0 {
		return target[i+1:]
	}
	return target
}
