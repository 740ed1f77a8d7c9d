package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"maps"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	sam "github.com/keymint/keymint/internal/stack"
	"github.com/keymint/keymint/internal/testkit"
	"github.com/keymint/keymint/shared/api"
	"github.com/keymint/keymint/shared/app/managefn"
	"github.com/keymint/keymint/shared/console"
	"github.com/keymint/keymint/shared/policy"
	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	"github.com/pb33f/libopenapi-validator/config"
	liberrors "github.com/pb33f/libopenapi-validator/errors"
	v3 "github.com/pb33f/libopenapi/datamodel/high/v3"
)

// openAPIRoute is the one route served without the authorizer.
const openAPIRoute = "GET /openapi.json"

// contract is the embedded OpenAPI document, parsed once per test binary:
// the libopenapi document, its v3 model and a validator for answers.
type contract struct {
	doc   libopenapi.Document
	model *v3.Document
	check validator.Validator
	// ops is the raw JSON of every operation, by route key, for the
	// x-keymint-* extensions.
	ops map[string]rawOperation
}

type rawOperation struct {
	OperationID string                `json:"operationId"`
	Summary     string                `json:"summary"`
	Security    []map[string][]string `json:"security"`
	Scope       string                `json:"x-keymint-scope"`
	Self        bool                  `json:"x-keymint-self"`
	AnyToken    bool                  `json:"x-keymint-any-token"`
	Function    string                `json:"x-keymint-function"`
}

var (
	contractOnce sync.Once
	theContract  *contract
	contractErr  error
)

// loadContract parses the document and builds the validator, once.
func loadContract() (*contract, error) {
	contractOnce.Do(func() {
		theContract, contractErr = parseContract(api.OpenAPI())
	})
	return theContract, contractErr
}

func parseContract(raw []byte) (*contract, error) {
	doc, err := libopenapi.NewDocument(raw)
	if err != nil {
		return nil, fmt.Errorf("openapi.json: %w", err)
	}
	m, err := doc.BuildV3Model()
	if err != nil {
		return nil, fmt.Errorf("openapi.json: building the model: %w", err)
	}
	v, errs := validator.NewValidator(doc, config.WithFormatAssertions())
	if len(errs) > 0 {
		return nil, fmt.Errorf("openapi.json: building the validator: %v", errs)
	}
	var paths struct {
		Paths map[string]map[string]rawOperation `json:"paths"`
	}
	if err := json.Unmarshal(raw, &paths); err != nil {
		return nil, fmt.Errorf("openapi.json: %w", err)
	}
	ops := map[string]rawOperation{}
	for p, item := range paths.Paths {
		for method, op := range item {
			ops[strings.ToUpper(method)+" "+p] = op
		}
	}
	return &contract{doc: doc, model: &m.Model, check: v, ops: ops}, nil
}

// answer is one function answer to one request, as API Gateway would
// relay them.
type answer struct {
	routeKey string
	path     string // the concrete path, e.g. /tokens/AAAAAAAAAAAAAAAA
	query    string
	reqHdr   map[string]string
	status   int
	header   map[string]string
	body     []byte
}

// violations checks an answer against the document: status, content type,
// body and declared headers through libopenapi-validator, and then that
// every header the function set (Content-Type aside) is one the document
// declares for that answer. It returns one line per violation.
func (c *contract) violations(a answer) []string {
	method, _, _ := strings.Cut(a.routeKey, " ")
	req := &http.Request{
		Method: method,
		URL:    &url.URL{Scheme: "https", Host: "example.execute-api.us-east-1.amazonaws.com", Path: a.path, RawQuery: a.query},
		Header: http.Header{},
	}
	for k, v := range a.reqHdr {
		req.Header.Set(k, v)
	}
	resp := &http.Response{StatusCode: a.status, Header: http.Header{}, Body: io.NopCloser(bytes.NewReader(a.body)), Request: req}
	for k, v := range a.header {
		resp.Header.Set(k, v)
	}
	var out []string
	if ok, errs := c.check.ValidateHttpResponse(req, resp); !ok {
		out = append(out, describe(errs)...)
	}
	if r := c.response(a.routeKey, a.status); r != nil {
		for name := range a.header {
			if strings.EqualFold(name, "Content-Type") {
				continue
			}
			declared := false
			for h := range r.Headers.KeysFromOldest() {
				declared = declared || strings.EqualFold(h, name)
			}
			if !declared {
				out = append(out, fmt.Sprintf("header %s is not declared for %s %d", name, a.routeKey, a.status))
			}
		}
	}
	return out
}

// response is the document's response of the route for status, nil if none.
func (c *contract) response(routeKey string, status int) *v3.Response {
	method, path, _ := strings.Cut(routeKey, " ")
	item := c.model.Paths.PathItems.GetOrZero(path)
	if item == nil {
		return nil
	}
	op := item.GetOperations().GetOrZero(strings.ToLower(method))
	if op == nil || op.Responses == nil {
		return nil
	}
	return op.Responses.Codes.GetOrZero(strconv.Itoa(status))
}

func describe(errs []*liberrors.ValidationError) []string {
	var out []string
	for _, e := range errs {
		line := e.Message
		if e.Reason != "" {
			line += ": " + e.Reason
		}
		for _, f := range e.SchemaValidationErrors {
			line += fmt.Sprintf("\n\t%s (at %q, schema %s)", f.Reason, "/"+strings.Join(f.InstancePath, "/"), f.KeywordLocation)
		}
		out = append(out, line)
	}
	return out
}

// checkAnswer fails t when a function answer does not fit the document.
func checkAnswer(t testing.TB, a answer) {
	t.Helper()
	c, err := loadContract()
	if err != nil {
		t.Errorf("%v", err)
		return
	}
	if v := c.violations(a); len(v) > 0 {
		t.Errorf("%s %s answered %d, which openapi.json does not describe:\n%s\nbody: %s",
			a.routeKey, a.path, a.status, strings.Join(v, "\n"), a.body)
	}
}

func TestOpenAPIDocumentIsValid(t *testing.T) {
	t.Parallel()
	c, err := loadContract()
	if err != nil {
		t.Fatal(err)
	}
	if v := c.doc.GetVersion(); v != "3.1.0" {
		t.Errorf("openapi %q, want 3.1.0", v)
	}
	if ok, errs := c.check.ValidateDocument(); !ok {
		t.Fatalf("openapi.json is not a valid OpenAPI document:\n%s", strings.Join(describe(errs), "\n"))
	}
	ids := map[string]string{}
	for key, op := range c.ops {
		if op.OperationID == "" || op.Summary == "" || op.Function == "" {
			t.Errorf("%s: operationId %q, summary %q, x-keymint-function %q: all are required", key, op.OperationID, op.Summary, op.Function)
		}
		if other, dup := ids[op.OperationID]; dup {
			t.Errorf("operationId %s is on %s and %s", op.OperationID, key, other)
		}
		ids[op.OperationID] = key
	}
}

// Every problem type the code can produce is in the document's list, and
// the list holds nothing else.
func TestOpenAPIProblemTypes(t *testing.T) {
	t.Parallel()
	fset := token.NewFileSet()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	inCode := map[string]bool{}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) != 3 {
				return true
			}
			if id, ok := call.Fun.(*ast.Ident); !ok || id.Name != "problem" {
				return true
			}
			lit, ok := call.Args[1].(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				t.Errorf("%s: problem() with a slug that is not a string literal", fset.Position(call.Pos()))
				return true
			}
			slug, _ := strconv.Unquote(lit.Value)
			inCode["https://keymint.dev/problems/"+slug] = true
			return true
		})
	}
	var doc struct {
		Components struct {
			Schemas struct {
				Problem struct {
					Properties struct {
						Type struct {
							Enum []string `json:"enum"`
						} `json:"type"`
					} `json:"properties"`
				} `json:"Problem"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(api.OpenAPI(), &doc); err != nil {
		t.Fatal(err)
	}
	listed := doc.Components.Schemas.Problem.Properties.Type.Enum
	if len(inCode) == 0 {
		t.Fatal("found no problem() calls; the test would prove nothing")
	}
	if got, want := slices.Sorted(slices.Values(listed)), slices.Sorted(maps.Keys(inCode)); !slices.Equal(got, want) {
		t.Errorf("Problem.type enum %v\nbut the code produces %v", got, want)
	}
}

// The document's routes are the handlers' routes and the template's, each
// on the same function, and only GET /openapi.json is public.
func TestOpenAPIRoutesMatchHandlersAndTemplate(t *testing.T) {
	t.Parallel()
	c, err := loadContract()
	if err != nil {
		t.Fatal(err)
	}
	documented := map[string]string{} // route key -> x-keymint-function
	for key, op := range c.ops {
		documented[key] = op.Function
	}

	a := testkit.NewApp(t, nil)
	handled := map[string]string{}
	for _, r := range api.Routes(managefn.Deps(a.App)) {
		if other, dup := handled[r.Key]; dup {
			t.Errorf("%s is served by %s and %s", r.Key, other, r.Function)
		}
		handled[r.Key] = r.Function
		if r.Public != (r.Key == openAPIRoute) {
			t.Errorf("%s on %s: public %v; only %s may skip the authorizer", r.Key, r.Function, r.Public, openAPIRoute)
		}
	}
	if !maps.Equal(documented, handled) {
		t.Errorf("routes differ between openapi.json and the handlers:\n%s", diffRoutes("openapi.json", documented, "handlers", handled))
	}
	// The harness's own table must follow, or its answers go unchecked.
	for key := range documented {
		if _, ok := routes[key]; !ok && key != openAPIRoute {
			t.Errorf("harness_test.go's routes lacks %s", key)
		}
	}

	st, err := sam.Load("../../template.yaml", sam.Resolver{Refs: map[string]string{"TokenTable": "keymint-tokens", "KeyringSecret": ""}})
	if err != nil {
		t.Fatalf("template.yaml: %v", err)
	}
	httpAPI, ok := st.APIs["KeymintApi"]
	if !ok {
		t.Fatal("template.yaml has no KeymintApi")
	}
	templated := map[string]string{}
	var pages []string
	for _, r := range httpAPI.Routes {
		// The console's pages are no API operations: the contract leaves
		// them out, and they must be exactly the console's, without the
		// authorizer (the page loads before anyone signs in).
		if r.Function == "ConsoleFunction" {
			pages = append(pages, r.Key())
			if r.Authorizer != "" {
				t.Errorf("console route %s has authorizer %q; the console loads before sign-in", r.Key(), r.Authorizer)
			}
			continue
		}
		templated[r.Key()] = r.Function
		if public := r.Authorizer == ""; public != (r.Key() == openAPIRoute) {
			t.Errorf("template route %s: authorizer %q; every route but %s needs one, and it must have none", r.Key(), r.Authorizer, openAPIRoute)
		}
	}
	want := maps.Clone(documented)
	if _, ok := templated[openAPIRoute]; !ok {
		// The template's owner adds the route (Auth: {Authorizer: NONE}
		// on DescribeFunction); until then the rest must still agree.
		t.Logf("template.yaml has no %s route yet: comparing the other %d routes", openAPIRoute, len(want)-1)
		delete(want, openAPIRoute)
	}
	slices.Sort(pages)
	if want := slices.Sorted(slices.Values(console.Routes())); !slices.Equal(pages, want) {
		t.Errorf("template.yaml's console routes %v, the console serves %v", pages, want)
	}
	if !maps.Equal(want, templated) {
		t.Errorf("routes differ between openapi.json and template.yaml:\n%s", diffRoutes("openapi.json", want, "template.yaml", templated))
	}
}

func diffRoutes(aName string, a map[string]string, bName string, b map[string]string) string {
	var lines []string
	for _, k := range slices.Sorted(maps.Keys(a)) {
		if fb, ok := b[k]; !ok {
			lines = append(lines, fmt.Sprintf("  %s (%s) only in %s", k, a[k], aName))
		} else if fb != a[k] {
			lines = append(lines, fmt.Sprintf("  %s is on %s in %s, on %s in %s", k, a[k], aName, fb, bName))
		}
	}
	for _, k := range slices.Sorted(maps.Keys(b)) {
		if _, ok := a[k]; !ok {
			lines = append(lines, fmt.Sprintf("  %s (%s) only in %s", k, b[k], bName))
		}
	}
	return strings.Join(lines, "\n")
}

// Each operation names the scope shared/policy/scopes.json gives its route,
// in x-keymint-scope and in its security requirement; the self and
// anyToken routes say so; and the catalogue agrees that the scope opens it.
func TestOpenAPIScopesMatchCatalogue(t *testing.T) {
	t.Parallel()
	c, err := loadContract()
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile("../policy/scopes.json")
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Scopes map[string]struct {
			Routes []string `json:"routes"`
		} `json:"scopes"`
		AnyToken []string `json:"anyToken"`
		Self     []string `json:"self"`
	}
	if err := json.Unmarshal(raw, &file); err != nil {
		t.Fatal(err)
	}
	cat, err := policy.Default()
	if err != nil {
		t.Fatal(err)
	}
	params := map[string]string{"id": "AAAAAAAAAAAAAAAA", "ip": "192.0.2.1", "owner": "alice"}
	for _, key := range slices.Sorted(maps.Keys(c.ops)) {
		op := c.ops[key]
		method, path, _ := strings.Cut(key, " ")
		if key == openAPIRoute {
			if op.Security == nil || len(op.Security) != 0 || op.Scope != "" {
				t.Errorf("%s: security %v, scope %q; want security [] and no scope", key, op.Security, op.Scope)
			}
			continue
		}
		pattern := method + " " + wildcard(path, "*")
		var named []string
		for name, s := range file.Scopes {
			if slices.Contains(s.Routes, pattern) {
				named = append(named, name)
			}
		}
		anyToken := slices.Contains(file.AnyToken, pattern)
		self := slices.Contains(file.Self, method+" "+wildcard(path, "{self}"))
		wantScope := ""
		switch {
		case anyToken && len(named) == 0:
		case len(named) == 1 && !anyToken:
			wantScope = named[0]
		default:
			t.Errorf("%s: scopes.json names it in scopes %v, anyToken %v: want exactly one", key, named, anyToken)
			continue
		}
		if op.Scope != wantScope || op.AnyToken != anyToken || op.Self != self {
			t.Errorf("%s: x-keymint-scope %q, -any-token %v, -self %v; scopes.json says %q, %v, %v",
				key, op.Scope, op.AnyToken, op.Self, wantScope, anyToken, self)
		}
		var wantReq []string
		if wantScope != "" {
			wantReq = []string{wantScope}
		}
		if !bearerOnly(op.Security, wantReq) {
			t.Errorf("%s: security %v, want [{bearerAuth: %v}]", key, op.Security, wantReq)
		}
		concrete, ok := policy.FillRoute(path, params)
		if !ok {
			t.Errorf("%s: cannot fill its path parameters", key)
			continue
		}
		if allowed := cat.Allows(nil, method, concrete); allowed != anyToken {
			t.Errorf("%s: a token without scopes is allowed: %v, want %v", key, allowed, anyToken)
		}
		if wantScope != "" && !cat.Allows([]string{wantScope}, method, concrete) {
			t.Errorf("%s: the catalogue does not let %s open %s", key, wantScope, concrete)
		}
	}
}

// bearerOnly reports whether security is the one requirement bearerAuth
// with exactly scopes.
func bearerOnly(security []map[string][]string, scopes []string) bool {
	if len(security) != 1 || len(security[0]) != 1 {
		return false
	}
	got, ok := security[0]["bearerAuth"]
	return ok && slices.Equal(got, scopes)
}

// wildcard replaces each {param} segment of a route path with w.
func wildcard(path, w string) string {
	segs := strings.Split(path, "/")
	for i, s := range segs {
		if strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}") {
			segs[i] = w
		}
	}
	return strings.Join(segs, "/")
}

// GET /openapi.json needs no token: the Describe handler answers a request
// without an authorizer context with the embedded document, cacheable.
func TestOpenAPIServedWithoutAuthorizer(t *testing.T) {
	t.Parallel()
	a := testkit.NewApp(t, nil)
	h := api.NewDescribe(managefn.Deps(a.App))
	req := events.APIGatewayV2HTTPRequest{
		Version: "2.0", RouteKey: openAPIRoute, RawPath: "/openapi.json",
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			RouteKey: openAPIRoute, RequestID: "req-1", Stage: "$default",
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "GET", Path: "/openapi.json", SourceIP: "203.0.113.9"},
		},
	}
	raw, _ := json.Marshal(req)
	out, err := h.Handle(context.Background(), raw)
	if err != nil {
		t.Fatal(err)
	}
	resp := out.(events.APIGatewayV2HTTPResponse)
	if resp.StatusCode != 200 || resp.Body != string(api.OpenAPI()) || resp.IsBase64Encoded {
		t.Fatalf("GET /openapi.json: %d (base64 %v), %d bytes; want 200 and the %d embedded bytes",
			resp.StatusCode, resp.IsBase64Encoded, len(resp.Body), len(api.OpenAPI()))
	}
	if ct := resp.Headers["Content-Type"]; ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
	if cc := resp.Headers["Cache-Control"]; !strings.Contains(cc, "max-age=") || strings.Contains(cc, "no-store") {
		t.Errorf("Cache-Control %q, want a max-age", cc)
	}
	checkAnswer(t, answer{routeKey: openAPIRoute, path: "/openapi.json", status: resp.StatusCode, header: resp.Headers, body: []byte(resp.Body)})

	// Every other route still refuses a request without an authorizer context.
	req.RouteKey, req.RawPath = "GET /whoami", "/whoami"
	raw, _ = json.Marshal(req)
	out, err = h.Handle(context.Background(), raw)
	if err != nil {
		t.Fatal(err)
	}
	resp = out.(events.APIGatewayV2HTTPResponse)
	if resp.StatusCode != 401 {
		t.Fatalf("GET /whoami without an authorizer context: %d %s", resp.StatusCode, resp.Body)
	}
	checkAnswer(t, answer{routeKey: "GET /whoami", path: "/whoami", status: resp.StatusCode, header: resp.Headers, body: []byte(resp.Body)})
}
