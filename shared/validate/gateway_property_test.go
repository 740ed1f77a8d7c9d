package validate_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/keymint/keymint/internal/localapi"
	"github.com/keymint/keymint/internal/testkit"
	"github.com/keymint/keymint/shared/app/validatefn"
	"github.com/keymint/keymint/shared/manage"
	"github.com/keymint/keymint/shared/policy"
)

// This file is API Gateway as AWS documents it, written apart from
// shared/policy's matching, and a property: whatever API Gateway lets
// through on ValidateFunction's answers, first call or served from its
// authorizer cache, the catalogue allows that token (Catalogue.AllowsFor).
//
// What is modelled, and where AWS says so:
//   - A policy is evaluated as IAM evaluates one: an explicit Deny that
//     matches wins, else an Allow that matches is needed, else it is an
//     implicit deny
//     (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html).
//   - The request is the execute-api ARN arn:<partition>:execute-api:
//     <region>:<account>:<api>/<stage>/<method>/<path>
//     (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-control-access-using-iam-policies-to-invoke-api.html);
//     in a Resource, "*" is any run of characters ("/" included) and "?"
//     any one (the evaluator lets "*" span colons too, which can only
//     allow more, so the property is the stricter for it); actions match
//     case-insensitively. The evaluation is internal/localapi's, the local
//     stack's own (gwAllows)
//     (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html,
//     https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html).
//   - A REST "Unauthorized" error is a 401; an HTTP API simple answer is
//     isAuthorized
//     (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-lambda-authorizer-output.html,
//     https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-lambda-authorizer.html).
//   - The authorizer cache: an answer is cached under the values of the
//     identity sources and reused for every later request with the same
//     values. A TOKEN authorizer's one identity source is the token
//     (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-use-lambda-authorizer.html).
//     The IAM shapes are run with the coarsest keys one could set (the
//     token; with the caller's IP for REQUEST shapes), so their answers must
//     be exact under any key; simple answers say nothing of the route, so
//     they are run with the key docs/deploy.md asks for (token, method,
//     route key, path, IP).
//   - The API routes a request to its most specific route (literal before
//     parameter before greedy) and passes the parameters' values.

// gwShape is one of the answer shapes, with the cache key API Gateway
// would use for it here.
type gwShape struct {
	name string
	iam  bool // AUTHORIZER_RESPONSE=iam (HTTP) or a REST shape
	key  func(r gwRequest, tok string) string
	make func(r gwRequest, tok string) []byte
}

// gwRequest is one request as a client sends it: a method and the path's
// segments as API Gateway decodes them.
type gwRequest struct {
	method string
	segs   []string
	// route is the API route it lands on: a template such as
	// "/orders/{p1}/{proxy+}", with its parameters' values.
	route  string
	params map[string]string
}

func (r gwRequest) path() string { return "/" + strings.Join(r.segs, "/") }

const (
	gwBase = "arn:aws:execute-api:us-east-1:123456789012:abcdef123/"
	gwIP   = "192.0.2.1"
)

func (r gwRequest) arn(stage string) string { return gwBase + stage + "/" + r.method + r.path() }

var gwShapes = []gwShape{
	{
		name: "REST TOKEN", iam: true,
		key: func(_ gwRequest, tok string) string { return tok },
		make: func(r gwRequest, tok string) []byte {
			raw, _ := json.Marshal(map[string]any{"type": "TOKEN", "authorizationToken": "Bearer " + tok, "methodArn": r.arn("prod")})
			return raw
		},
	},
	{
		name: "REST REQUEST", iam: true,
		key: func(_ gwRequest, tok string) string { return tok + "|" + gwIP },
		make: func(r gwRequest, tok string) []byte {
			raw, _ := json.Marshal(map[string]any{
				"type": "REQUEST", "methodArn": r.arn("prod"), "resource": r.route, "path": r.path(), "httpMethod": r.method,
				"headers": map[string]string{"Authorization": "Bearer " + tok}, "pathParameters": r.params,
				"requestContext": map[string]any{"resourcePath": r.route, "httpMethod": r.method, "path": "/prod" + r.path(),
					"stage": "prod", "identity": map[string]string{"sourceIp": gwIP}},
			})
			return raw
		},
	},
	{
		name: "HTTP IAM", iam: true,
		key:  func(_ gwRequest, tok string) string { return tok + "|" + gwIP },
		make: httpEvent,
	},
	{
		name: "HTTP simple", iam: false,
		key: func(r gwRequest, tok string) string {
			return strings.Join([]string{tok, r.method, routeKey(r), r.path(), gwIP}, "|")
		},
		make: httpEvent,
	},
}

func routeKey(r gwRequest) string {
	if r.route == "" {
		return "$default"
	}
	return "ANY " + r.route
}

func httpEvent(r gwRequest, tok string) []byte {
	raw, _ := json.Marshal(map[string]any{
		"version": "2.0", "type": "REQUEST", "routeArn": r.arn("$default"), "identitySource": []string{"Bearer " + tok},
		"routeKey": routeKey(r), "rawPath": r.path(), "pathParameters": r.params,
		"headers": map[string]string{"authorization": "Bearer " + tok},
		"requestContext": map[string]any{"stage": "$default", "routeKey": routeKey(r),
			"http": map[string]string{"method": r.method, "path": r.path(), "sourceIp": gwIP}},
	})
	return raw
}

// gwAllows is API Gateway's decision on an authorizer's answer for the
// request whose ARN is arn. A policy is evaluated by the local stack's
// evaluator (localapi.PolicyAllows), which shares nothing with
// shared/policy and is tested on IAM's documented cases itself.
func gwAllows(t *testing.T, iam bool, answer []byte, err error, arn string) bool {
	t.Helper()
	if err != nil {
		return false // 401 (REST "Unauthorized") or 500
	}
	if !iam {
		var simple struct{ IsAuthorized bool }
		if json.Unmarshal(answer, &simple) != nil {
			t.Fatalf("answer is not JSON: %s", answer)
		}
		return simple.IsAuthorized
	}
	allowed, err := localapi.PolicyAllows(answer, arn)
	if err != nil {
		t.Fatalf("answer %s: %v", answer, err)
	}
	return allowed
}

// gwCatalogue is a catalogue for the property, as its JSON and the API
// routes that serve it.
type gwCatalogue struct {
	name   string
	file   string   // SCOPES_FILE
	routes []string // route templates, most specific first after routing
	lits   []string // literals to build paths from
}

// randomCatalogue writes a catalogue of random scopes, routes and
// bundles-free shape, to dir.
func randomCatalogue(t *testing.T, rng *rand.Rand, dir string, n int) gwCatalogue {
	lits := []string{"orders", "items", "special", "a", "b", "reports"}
	methods := []string{"GET", "POST", "DELETE", "*"}
	pattern := func() string {
		segs := make([]string, 1+rng.IntN(3))
		for i := range segs {
			switch r := rng.IntN(10); {
			case i == len(segs)-1 && r == 0:
				segs[i] = "**"
			case r < 4:
				segs[i] = "*"
			default:
				segs[i] = lits[rng.IntN(len(lits))]
			}
		}
		return methods[rng.IntN(len(methods))] + " /" + strings.Join(segs, "/")
	}
	scopes := map[string]any{}
	for i := range 2 + rng.IntN(3) {
		var rs []string
		for range 1 + rng.IntN(4) {
			rs = append(rs, pattern())
		}
		scopes[fmt.Sprintf("s%d:use", i)] = map[string]any{"routes": rs}
	}
	// The management scopes keymint itself needs to issue tokens here.
	scopes["tokens:read"] = map[string]any{"routes": []string{"GET /tokens", "GET /tokens/*"}}
	cat := map[string]any{"scopes": scopes, "anyToken": []string{pattern()}, "self": []string{"GET /tokens/{self}", "DELETE /tokens/{self}"}}
	raw, _ := json.Marshal(cat)
	file := filepath.Join(dir, fmt.Sprintf("random%d.json", n))
	if err := os.WriteFile(file, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := policy.Parse(raw)
	if err != nil {
		t.Fatalf("random catalogue %s: %v", raw, err)
	}
	return gwCatalogue{name: fmt.Sprintf("random %d", n), file: file, routes: apiRoutes(c), lits: lits}
}

// apiRoutes are the routes of an API serving cat: each pattern as an
// API Gateway template ("*" a parameter, "**" greedy, {self} a parameter),
// the same with its literals after the first made parameters too (an API
// route wider than the catalogue's pattern: the case a route-keyed cache
// gets wrong), and a catch-all.
func apiRoutes(cat *policy.Catalogue) []string {
	seen := map[string]bool{"/{proxy+}": true}
	out := []string{"/{proxy+}"}
	for _, r := range cat.RoutesFor(cat.Scopes(), "") {
		for _, widen := range []bool{false, true} {
			segs := strings.Split(strings.TrimPrefix(r.Path, "/"), "/")
			for i, s := range segs {
				switch {
				case s == "**":
					segs[i] = "{proxy+}"
				case s == "*" || s == "{self}" || widen && i > 0:
					segs[i] = fmt.Sprintf("{p%d}", i)
				}
			}
			tmpl := "/" + strings.Join(segs, "/")
			if r.Path != "/" && !seen[tmpl] {
				seen[tmpl] = true
				out = append(out, tmpl)
			}
		}
	}
	return out
}

// route picks the most specific template matching segs, as API Gateway
// routes: segment by segment, a literal before a parameter before a greedy
// one. "" is no route (an HTTP API's $default route).
func route(templates []string, segs []string) (string, map[string]string) {
	best, bestRank := "", ""
	var bestParams map[string]string
	for _, tmpl := range templates {
		params, rank, ok := matchTemplate(tmpl, segs)
		if ok && (best == "" || rank < bestRank) {
			best, bestRank, bestParams = tmpl, rank, params
		}
	}
	return best, bestParams
}

func matchTemplate(tmpl string, segs []string) (map[string]string, string, bool) {
	ts := strings.Split(strings.TrimPrefix(tmpl, "/"), "/")
	params := map[string]string{}
	var rank strings.Builder
	for i, s := range ts {
		if strings.HasSuffix(s, "+}") {
			if i >= len(segs) || slices.Contains(segs[i:], "") {
				return nil, "", false
			}
			params[strings.Trim(s, "{+}")] = strings.Join(segs[i:], "/")
			rank.WriteByte('2')
			return params, rank.String(), true
		}
		if i >= len(segs) || segs[i] == "" {
			return nil, "", false
		}
		if strings.HasPrefix(s, "{") {
			params[strings.Trim(s, "{}")] = segs[i]
			rank.WriteByte('1')
			continue
		}
		if s != segs[i] {
			return nil, "", false
		}
		rank.WriteByte('0')
	}
	if len(ts) != len(segs) {
		return nil, "", false
	}
	return params, rank.String(), true
}

// randomRequest makes a request, often deeper or odder than any route.
func randomRequest(rng *rand.Rand, c gwCatalogue, self string) gwRequest {
	odd := []string{".", "..", "", "*", "?", "a*b", "x?y", "${aws:username}", "%2E", "é", strings.Repeat("L", 300), self, self, "1", "42"}
	segs := make([]string, 1+rng.IntN(5))
	for i := range segs {
		switch r := rng.IntN(10); {
		case r < 5:
			segs[i] = c.lits[rng.IntN(len(c.lits))]
		case r < 8:
			segs[i] = odd[rng.IntN(len(odd))]
		default:
			segs[i] = "tokens"
		}
	}
	if rng.IntN(8) == 0 {
		segs = append(segs, "") // a trailing slash
	}
	methods := []string{"GET", "POST", "DELETE", "PUT"}
	r := gwRequest{method: methods[rng.IntN(len(methods))], segs: segs}
	r.route, r.params = route(c.routes, segs)
	return r
}

// The property. For each catalogue (the shipped one and random ones),
// tokens with random scopes, every answer shape, and a random sequence of
// requests sent through API Gateway's cache: nothing API Gateway lets
// through is outside what the catalogue allows the token. Where the cache
// key names the route (simple answers) or nothing is cached (each
// shape's first call), the two sets are equal, but for IAM answers to an
// ARN holding an IAM wildcard, which are denied on purpose.
func TestGatewayNeverAllowsMoreThanTheCatalogue(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(23, 1))
	dir := t.TempDir()
	shipped, err := policy.Load("../policy/scopes.json")
	if err != nil {
		t.Fatal(err)
	}
	cats := []gwCatalogue{{name: "shipped", file: "../policy/scopes.json", routes: apiRoutes(shipped),
		lits: []string{"orders", "tokens", "reports", "owners", "status", "usage", "audit", "revoke", "whoami", "scopes", "blocked-ips", "special"}}}
	for n := range 4 {
		cats = append(cats, randomCatalogue(t, rng, dir, n))
	}
	for _, c := range cats {
		for _, shape := range gwShapes {
			for _, cached := range []bool{false, true} {
				name := c.name + "/" + shape.name + "/first call"
				if cached {
					name = c.name + "/" + shape.name + "/cached"
				}
				t.Run(name, func(t *testing.T) {
					t.Parallel()
					gatewayProperty(t, c, shape, cached, rand.New(rand.NewPCG(uint64(len(name)), uint64(len(c.file)))))
				})
			}
		}
	}
}

// gatewayProperty sends 300 requests. With caching, an answer is kept
// for its key until a random number of later requests (a TTL) has passed;
// without, every request is a first call, and then API Gateway must allow
// exactly what the catalogue does.
func gatewayProperty(t *testing.T, c gwCatalogue, shape gwShape, caching bool, rng *rand.Rand) {
	env := testkit.Env{"SCOPES_FILE": c.file}
	if shape.iam {
		env["AUTHORIZER_RESPONSE"] = "iam"
	}
	a := testkit.NewApp(t, env)
	h := lambda.Handler(validatefn.Lambda(a.App))
	ctx := context.Background()
	names := a.Catalogue.Scopes()
	type gwToken struct {
		plain, id string
		scopes    []string
		again     gwRequest // a request it may make, made again and again
	}
	var toks []gwToken
	for i := range 3 {
		var scopes []string
		for _, s := range names {
			if rng.IntN(2) == 0 {
				scopes = append(scopes, s)
			}
		}
		if len(scopes) == 0 {
			scopes = names[:1]
		}
		out, err := a.Service().Issue(ctx, ops, manage.IssueRequest{Owner: "alice", Name: fmt.Sprintf("t%d", i), Scopes: scopes})
		if err != nil {
			t.Fatalf("issue %v: %v", scopes, err)
		}
		tk := gwToken{plain: out.Plaintext, id: out.Token.ID, scopes: out.Token.Scopes}
		for range 200 {
			tk.again = randomRequest(rng, c, tk.id)
			if a.Catalogue.AllowsFor(tk.scopes, tk.id, tk.again.method, tk.again.path()) {
				break
			}
		}
		toks = append(toks, tk)
	}
	stage := "$default"
	if strings.HasPrefix(shape.name, "REST") {
		stage = "prod"
	}
	type kept struct {
		answer []byte
		left   int // requests until it expires
	}
	cache := map[string]*kept{} // identity → the answer API Gateway keeps
	var allowed, denied, allowedFromCache int
	for range 300 {
		for k, e := range cache {
			if e.left--; e.left < 0 {
				delete(cache, k)
			}
		}
		tok := toks[rng.IntN(len(toks))]
		r := randomRequest(rng, c, tok.id)
		if rng.IntN(3) == 0 {
			r = tok.again
		}
		key := shape.key(r, tok.plain)
		e, fromCache := cache[key]
		var answer []byte
		var callErr error
		if fromCache {
			answer = e.answer
		} else {
			answer, callErr = h.Invoke(ctx, shape.make(r, tok.plain))
			if callErr == nil && caching {
				cache[key] = &kept{answer: answer, left: 1 + rng.IntN(30)}
			}
		}
		got := gwAllows(t, shape.iam, answer, callErr, r.arn(stage))
		want := a.Catalogue.AllowsFor(tok.scopes, tok.id, r.method, r.path())
		if got && !want {
			t.Fatalf("%s %s (route %q, token scopes %v, from cache %v): API Gateway allows what the catalogue does not\nanswer %s",
				r.method, r.path(), r.route, tok.scopes, fromCache, answer)
		}
		// An IAM answer to an ARN holding an IAM wildcard is a Deny on
		// purpose (policy.InvokePolicy).
		wildcard := shape.iam && (strings.ContainsAny(r.path(), "*?") || strings.Contains(r.path(), "${"))
		if !caching && want && !got && !wildcard {
			t.Fatalf("%s %s (route %q, token scopes %v): the catalogue allows it, API Gateway refuses\nanswer %s",
				r.method, r.path(), r.route, tok.scopes, answer)
		}
		switch {
		case got && fromCache:
			allowedFromCache++
			allowed++
		case got:
			allowed++
		default:
			denied++
		}
	}
	if allowed == 0 || denied == 0 || caching && allowedFromCache == 0 {
		t.Errorf("a vacuous run: %d allowed (%d from the cache), %d denied", allowed, allowedFromCache, denied)
	}
}

// Why simple answers need the path in the cache key: a route key names
// "DELETE /tokens/{id}", while the catalogue tells the token's own id
// ({self}) from any other. Keyed on the route alone, the Allow of a token
// revoking itself would be reused to revoke another token; keyed on the
// path too (docs/deploy.md, template.yaml), it is not.
func TestSimpleAnswersCachedPerPathNotPerRoute(t *testing.T) {
	t.Parallel()
	a := testkit.NewApp(t, testkit.Env{"SCOPES_FILE": "../policy/scopes.json"})
	h := lambda.Handler(validatefn.Lambda(a.App))
	ctx := context.Background()
	out, err := a.Service().Issue(ctx, ops, manage.IssueRequest{Owner: "alice", Name: "self", Scopes: []string{"orders:read"}})
	if err != nil {
		t.Fatal(err)
	}
	other := "ABCDEFGHIJKLMNOP"
	req := func(id string) gwRequest {
		return gwRequest{method: "DELETE", segs: []string{"tokens", id}, route: "/tokens/{id}", params: map[string]string{"id": id}}
	}
	routeKeyed := func(r gwRequest, tok string) string { return strings.Join([]string{tok, routeKey(r), gwIP}, "|") }
	pathKeyed := gwShapes[len(gwShapes)-1].key
	for _, c := range []struct {
		name      string
		key       func(gwRequest, string) string
		wantOther bool
	}{
		{"route key only: the self Allow is reused", routeKeyed, true},
		{"route key and path", pathKeyed, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			cache := map[string][]byte{}
			send := func(r gwRequest) bool {
				k := c.key(r, out.Plaintext)
				answer, ok := cache[k]
				if !ok {
					if answer, err = h.Invoke(ctx, httpEvent(r, out.Plaintext)); err != nil {
						t.Fatal(err)
					}
					cache[k] = answer
				}
				return gwAllows(t, false, answer, nil, "")
			}
			if !send(req(out.Token.ID)) {
				t.Fatal("a token may revoke itself")
			}
			if a.Catalogue.AllowsFor(out.Token.Scopes, out.Token.ID, "DELETE", "/tokens/"+other) {
				t.Fatal("the catalogue lets orders:read revoke another token")
			}
			if got := send(req(other)); got != c.wantOther {
				t.Fatalf("DELETE /tokens/%s after the token revoked itself: allowed %v, want %v", other, got, c.wantOther)
			}
		})
	}
}
