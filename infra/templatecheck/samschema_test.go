package templatecheck_test

// template.yaml against the JSON schema AWS SAM publishes for templates
// (testdata/sam/sam.schema.json; where it comes from: testdata/sam/SOURCE.md).
// No SAM CLI or cfn-lint runs here, so this is the nearest stand-in for
// `sam validate --lint`.
//
// How intrinsics are judged. The template is read with its short-form tags
// (!Ref, !GetAtt A.B, !If, ...) turned into their JSON forms ({"Ref": ..},
// {"Fn::GetAtt": ["A", "B"]}, ...) by infra/internal/cfn and the whole
// document is validated (draft-04, github.com/pb33f/jsonschema/v6, the fork of
// santhosh-tekuri/jsonschema that libopenapi-validator uses too). Where the
// schema wants a literal (an integer, a boolean, an enum string, a map of
// known keys) and the template holds an intrinsic, the schema reports an
// error. Such an error is forgiven only at a documented pass-through:
//
//   - a property the schema marks `__samPassThrough` (SAM copies it to the
//     CloudFormation resource it generates, and CloudFormation resolves the
//     intrinsic there). The schema types these as PassThroughProp ({}), so it
//     accepts an intrinsic there by itself: Function Timeout, Runtime,
//     Environment, ...;
//   - a property whose documentation, which SAM publishes in the schema's
//     markdownDescription, says "*CloudFormation compatibility*: This property
//     is passed directly to ..." though the schema types it as a literal
//     (EventInvokeConfig MaximumRetryAttempts, DeadLetterQueue TargetArn,
//     HttpApi DefinitionUri Bucket/Key, ...);
//   - anything inside such a property.
//
// Everywhere else, notably the properties documented "This property is unique
// to AWS SAM and doesn't have an AWS CloudFormation equivalent", SAM reads the
// value itself while it transforms the template; it does not resolve
// intrinsics ("AWS SAM has limited support for certain intrinsic function
// properties, so it is unable to resolve some intrinsic functions",
// https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-specification-intrinsic-functions.html),
// so an intrinsic the schema refuses there is an error. (SAM-only properties
// whose schema takes a map, FunctionArn, ApiId, Policies, take an intrinsic
// by the schema itself; the summary lists them apart.) For example HttpApi
// Auth.Authorizers.<name>.Identity.ReauthorizeEvery is "Type: Integer ... This
// property is unique to AWS SAM"
// (https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-property-httpapi-lambdaauthorizationidentity.html),
// and SAM's translator copies whatever stands there into the
// x-amazon-apigateway-authorizer of the OpenAPI body it generates
// (authorizerResultTtlInSeconds, ApiGatewayV2Authorizer.generate_openapi in
// aws/serverless-application-model samtranslator/model/apigatewayv2.py).
//
// One intrinsic is judged by its results instead: an Fn::If whose branches
// are all literals (or such Fn::Ifs). SAM copies it where it stands too, but
// CloudFormation resolves intrinsics in every resource property, the
// generated API's OpenAPI body included
// (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference.html),
// so what arrives is one of the literals. The template is validated once per
// branch, each Fn::If of that kind replaced by that branch's literal, and
// every branch must pass.
//
// Every other schema error (an unknown property, a wrong literal type, a
// missing required property, an unknown AWS::Serverless type) is an error.
// Resources of other types (AWS::DynamoDB::Table, ...) only need a Type that
// is not AWS::Serverless::*: SAM's schema does not describe them.

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/keymint/keymint/internal/cfn"
	"github.com/pb33f/jsonschema/v6"
	"github.com/pb33f/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

const samSchemaFile = "testdata/sam/sam.schema.json"

// notServerlessType is the one pattern of the schema that Go's regexp (RE2)
// cannot compile: a negative look-ahead, the Type of "any other CloudFormation
// resource". It is special-cased with equivalent Go code (notServerless)
// rather than bringing in a backtracking engine for one pattern; any other
// pattern RE2 cannot compile still fails the schema's compilation.
const notServerlessType = `^(?!AWS::Serverless::).+$`

type notServerless struct{}

func (notServerless) String() string { return notServerlessType }

// MatchString follows ECMA-262, JSON Schema's regexp dialect: "." is any
// character but a line terminator and, without the m flag, "$" is the end of
// the input; so: not empty, one line, and not an AWS::Serverless:: type.
func (notServerless) MatchString(s string) bool {
	return s != "" && !strings.HasPrefix(s, "AWS::Serverless::") && !strings.ContainsAny(s, "\n\r\u2028\u2029")
}

func samRegexp(pattern string) (jsonschema.Regexp, error) {
	if pattern == notServerlessType {
		return notServerless{}, nil
	}
	return regexp.Compile(pattern)
}

// samSchema is SAM's schema, compiled once per test binary (it is 750 KB),
// and kept raw too: the validator keeps neither __samPassThrough nor the
// documentation the judgement of intrinsics reads.
type samSchema struct {
	compiled *jsonschema.Schema
	raw      map[string]any
	defs     map[string]any
}

var (
	samOnce sync.Once
	samSch  *samSchema
	samErr  error
)

func loadSAMSchema(t *testing.T) *samSchema {
	t.Helper()
	samOnce.Do(func() { samSch, samErr = compileSAMSchema(samSchemaFile) })
	if samErr != nil {
		t.Fatalf("SAM schema: %v", samErr)
	}
	return samSch
}

func compileSAMSchema(path string) (*samSchema, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(abs)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	raw, ok := doc.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s is not a JSON object", path)
	}
	if got := raw["$schema"]; got != "http://json-schema.org/draft-04/schema#" {
		return nil, fmt.Errorf("%s: $schema %v, expected draft-04", path, got)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft4)
	c.UseRegexpEngine(samRegexp)
	if err := c.AddResource(abs, doc); err != nil {
		return nil, err
	}
	sch, err := c.Compile(abs)
	if err != nil {
		return nil, err
	}
	defs, _ := raw["definitions"].(map[string]any)
	return &samSchema{compiled: sch, raw: raw, defs: defs}, nil
}

// --- the report ---

// samFinding is one error: where, what the schema said, and for an intrinsic
// standing where SAM wants a literal, why that is refused.
type samFinding struct {
	Pointer   string // JSON pointer into the template
	Schema    string // the schema's keyword location
	Message   string // the schema's message
	Intrinsic string // set for an intrinsic that is no documented pass-through
}

func (f samFinding) String() string {
	s := fmt.Sprintf("%s: %s [schema %s]", f.Pointer, f.Message, f.Schema)
	if f.Intrinsic != "" {
		s += "\n\t" + f.Intrinsic
	}
	return s
}

// samIntrinsic is an intrinsic the check let through, and why.
type samIntrinsic struct {
	Path string // dotted JSON path in the template
	Why  string
}

type samReport struct {
	Resources  int // resources in the template
	Serverless int // of which AWS::Serverless::* (checked property by property)
	Findings   []samFinding
	// Intrinsics let through: at a pass-through property (by the schema's
	// __samPassThrough marker or SAM's documentation), at a SAM property
	// whose schema takes a map and so an intrinsic (FunctionArn, ApiId,
	// Policies), and outside what SAM's schema describes (other resources,
	// Outputs, ...).
	PassThrough, SAMMap []samIntrinsic
	// LiteralIf: Fn::Ifs over literals, each literal validated in place.
	LiteralIf []samIntrinsic
	Outside   int
}

func (r *samReport) summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d resources checked (%d AWS::Serverless::*, the rest need only a non-SAM Type); %d error(s)\n",
		r.Resources, r.Serverless, len(r.Findings))
	fmt.Fprintf(&b, "%d intrinsic(s) accepted as documented pass-throughs to CloudFormation:\n", len(r.PassThrough))
	for _, a := range r.PassThrough {
		fmt.Fprintf(&b, "\t%s (%s)\n", a.Path, a.Why)
	}
	fmt.Fprintf(&b, "%d intrinsic(s) at SAM properties whose schema takes a map, so an intrinsic:\n", len(r.SAMMap))
	for _, a := range r.SAMMap {
		fmt.Fprintf(&b, "\t%s (%s)\n", a.Path, a.Why)
	}
	fmt.Fprintf(&b, "%d Fn::If(s) over literals, every branch validated:\n", len(r.LiteralIf))
	for _, a := range r.LiteralIf {
		fmt.Fprintf(&b, "\t%s (%s)\n", a.Path, a.Why)
	}
	fmt.Fprintf(&b, "%d intrinsic(s) outside SAM's schema (non-SAM resources, Outputs, Conditions)", r.Outside)
	return b.String()
}

// --- checking ---

var english = message.NewPrinter(language.English)

// checkSAMTemplate validates a YAML or JSON template against SAM's schema.
func checkSAMTemplate(t *testing.T, yamlDoc []byte) *samReport {
	t.Helper()
	s := loadSAMSchema(t)
	js, err := cfn.ToJSON(yamlDoc)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(strings.NewReader(string(js)))
	if err != nil {
		t.Fatal(err)
	}
	ifs := literalIfs(doc, nil)
	if len(ifs) == 0 {
		return s.check(t, doc)
	}
	// One pass per branch: each literal Fn::If takes its i-th literal (its
	// last one once it has no more), so every literal is validated.
	var rep *samReport
	seen := map[string]bool{}
	for i := 0; i < maxBranches(ifs); i++ {
		variant := withBranch(t, js, ifs, i)
		r := s.check(t, variant)
		if rep == nil {
			rep = r
			rep.Findings = nil
		}
		for _, f := range r.Findings {
			if key := f.String(); !seen[key] {
				seen[key] = true
				rep.Findings = append(rep.Findings, f)
			}
		}
	}
	for _, f := range ifs {
		rep.LiteralIf = append(rep.LiteralIf, samIntrinsic{dotted(f.path), fmt.Sprintf("Fn::If over literals %v, each validated", f.leaves)})
	}
	return rep
}

// literalIf is an Fn::If whose every branch is a literal or another such
// Fn::If.
type literalIf struct {
	path   []string
	leaves []any
}

func literalIfs(v any, path []string) []literalIf {
	if leaves, ok := ifLeaves(v); ok {
		return []literalIf{{slices.Clone(path), leaves}}
	}
	var out []literalIf
	switch v := v.(type) {
	case map[string]any:
		for k, c := range v {
			out = append(out, literalIfs(c, append(path, k))...)
		}
	case []any:
		for i, c := range v {
			out = append(out, literalIfs(c, append(path, strconv.Itoa(i)))...)
		}
	}
	return out
}

func ifLeaves(v any) ([]any, bool) {
	args, ok := asMap(v)["Fn::If"].([]any)
	if !ok || len(asMap(v)) != 1 || len(args) != 3 {
		return nil, false
	}
	var leaves []any
	for _, b := range args[1:] {
		if isIntrinsic(b) {
			sub, ok := ifLeaves(b)
			if !ok {
				return nil, false
			}
			leaves = append(leaves, sub...)
			continue
		}
		if _, isMap := b.(map[string]any); isMap {
			return nil, false
		}
		if _, isList := b.([]any); isList {
			return nil, false
		}
		leaves = append(leaves, b)
	}
	return leaves, true
}

func maxBranches(ifs []literalIf) int {
	n := 0
	for _, f := range ifs {
		n = max(n, len(f.leaves))
	}
	return n
}

// withBranch is the template with each literal Fn::If replaced by its i-th
// literal (or its last).
func withBranch(t *testing.T, js []byte, ifs []literalIf, i int) any {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(strings.NewReader(string(js)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range ifs {
		parent := valueAt(doc, f.path[:len(f.path)-1])
		leaf := f.leaves[min(i, len(f.leaves)-1)]
		switch p := parent.(type) {
		case map[string]any:
			p[f.path[len(f.path)-1]] = leaf
		case []any:
			idx, _ := strconv.Atoi(f.path[len(f.path)-1])
			p[idx] = leaf
		}
	}
	return doc
}

// check validates one document (no literal Fn::If left in it).
func (s *samSchema) check(t *testing.T, doc any) *samReport {
	t.Helper()
	rep := &samReport{}
	if res, ok := asMap(doc)["Resources"].(map[string]any); ok {
		rep.Resources = len(res)
		for _, r := range res {
			if typ, _ := asMap(r)["Type"].(string); strings.HasPrefix(typ, "AWS::Serverless::") {
				rep.Serverless++
			}
		}
	}
	refused := map[string]bool{}
	if err := s.compiled.Validate(doc); err != nil {
		verr, ok := err.(*jsonschema.ValidationError)
		if !ok {
			t.Fatalf("validating: %v", err)
		}
		seen := map[string]bool{}
		s.walk(verr, doc, func(e *jsonschema.ValidationError, msg string) {
			f := samFinding{Pointer: pointer(e.InstanceLocation), Schema: keywordLocation(e), Message: msg}
			if isIntrinsic(valueAt(doc, e.InstanceLocation)) {
				chain, _ := s.lookup(doc, e.InstanceLocation)
				if p, ok := passThrough(chain); ok {
					rep.PassThrough = append(rep.PassThrough, samIntrinsic{dotted(e.InstanceLocation),
						"the schema wants " + s.want(chain[len(chain)-1].node) + ", but SAM's documentation of " + p.String() + " says it is passed directly to CloudFormation"})
					return
				}
				f.Intrinsic = dotted(e.InstanceLocation) + ": " + s.refusal(chain)
				refused[f.Pointer] = true
			}
			if key := f.Pointer + "\x00" + f.Message; !seen[key] {
				seen[key] = true
				rep.Findings = append(rep.Findings, f)
			}
		})
	}
	accepted := map[string]bool{}
	for _, a := range rep.PassThrough {
		accepted[a.Path] = true
	}
	forEachIntrinsic(doc, nil, func(path []string) {
		if refused[pointer(path)] || accepted[dotted(path)] {
			return
		}
		if !s.described(doc, path) {
			rep.Outside++
			return
		}
		chain, undeclared := s.lookup(doc, path)
		if undeclared {
			return // under a property the schema forbids: reported already
		}
		switch p, ok := passThrough(chain); {
		case ok:
			rep.PassThrough = append(rep.PassThrough, samIntrinsic{dotted(path), p.String() + " is a pass-through"})
		case len(chain) > 0:
			rep.SAMMap = append(rep.SAMMap, samIntrinsic{dotted(path), "in " + chain[len(chain)-1].String()})
		default:
			rep.SAMMap = append(rep.SAMMap, samIntrinsic{dotted(path), "no property schema"})
		}
	})
	slices.SortFunc(rep.Findings, func(a, b samFinding) int { return strings.Compare(a.Pointer+a.Message, b.Pointer+b.Message) })
	bypath := func(a, b samIntrinsic) int { return strings.Compare(a.Path, b.Path) }
	slices.SortFunc(rep.PassThrough, bypath)
	slices.SortFunc(rep.SAMMap, bypath)
	return rep
}

// described: the path lies where SAM's schema describes the template
// (Globals, or inside an AWS::Serverless::* resource).
func (s *samSchema) described(doc any, path []string) bool {
	if len(path) > 0 && path[0] == "Globals" {
		return true
	}
	if len(path) < 2 || path[0] != "Resources" {
		return false
	}
	typ, _ := asMap(asMap(asMap(doc)["Resources"])[path[1]])["Type"].(string)
	return strings.HasPrefix(typ, "AWS::Serverless::")
}

// walk reports the errors of the validation tree that matter: at an anyOf
// (which resource type, which event type, which authorizer) it follows only
// the alternatives that fit the value, so a Function is not also reported for
// failing to be an HttpApi. An error on an intrinsic value is reported where
// it stands, with the messages of everything below it.
func (s *samSchema) walk(e *jsonschema.ValidationError, doc any, report func(*jsonschema.ValidationError, string)) {
	v := valueAt(doc, e.InstanceLocation)
	if isIntrinsic(v) {
		report(e, strings.Join(leafMessages(e), "; "))
		return
	}
	switch e.ErrorKind.(type) {
	case *kind.AnyOf, *kind.OneOf:
		keyword := "anyOf"
		if _, ok := e.ErrorKind.(*kind.OneOf); ok {
			keyword = "oneOf"
		}
		branches := s.branches(s.at(fragment(e.SchemaURL)), keyword)
		if len(branches) != len(e.Causes) { // a oneOf that matched twice, say
			break
		}
		keep, why := s.fits(branches, v)
		if len(keep) == 0 {
			report(e, message1(e)+": "+why)
			return
		}
		for _, i := range keep {
			s.walk(e.Causes[i], doc, report)
		}
		return
	}
	if len(e.Causes) == 0 {
		report(e, message1(e))
		return
	}
	for _, c := range e.Causes {
		s.walk(c, doc, report)
	}
}

func message1(e *jsonschema.ValidationError) string { return e.ErrorKind.LocalizedString(english) }

func leafMessages(e *jsonschema.ValidationError) []string {
	if len(e.Causes) == 0 {
		return []string{message1(e)}
	}
	var out []string
	for _, c := range e.Causes {
		for _, m := range leafMessages(c) {
			if !slices.Contains(out, m) {
				out = append(out, m)
			}
		}
	}
	return out
}

func keywordLocation(e *jsonschema.ValidationError) string {
	loc := "#" + fragment(e.SchemaURL)
	if ref, ok := e.ErrorKind.(*kind.Reference); ok {
		return "#" + fragment(ref.URL)
	}
	for _, k := range e.ErrorKind.KeywordPath() {
		loc += "/" + k
	}
	return loc
}

func fragment(url string) string {
	_, frag, _ := strings.Cut(url, "#")
	return frag
}

// --- reading the raw schema ---

// cand is a schema node and the definition it belongs to.
type cand struct {
	def  string
	node map[string]any
}

// prop is a property schema: Properties of definition def.
type prop struct {
	def, name string
	node      map[string]any
}

func (p prop) String() string {
	return strings.TrimPrefix(p.def, "samtranslator__internal__schema_source__") + "." + p.name
}

// at returns the raw node at a JSON pointer of the schema.
func (s *samSchema) at(ptr string) cand {
	var node any = s.raw
	def := "SamModel"
	toks := strings.Split(strings.TrimPrefix(ptr, "/"), "/")
	for i, tok := range toks {
		if tok == "" {
			continue
		}
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		if i == 1 && toks[0] == "definitions" {
			def = tok
		}
		switch n := node.(type) {
		case map[string]any:
			node = n[tok]
		case []any:
			i, _ := strconv.Atoi(tok)
			if i < 0 || i >= len(n) {
				return cand{def, nil}
			}
			node = n[i]
		}
	}
	m, _ := node.(map[string]any)
	return cand{def, m}
}

// deref follows $ref (in draft-04 a $ref replaces its siblings).
func (s *samSchema) deref(c cand) cand {
	for i := 0; i < 16; i++ {
		ref, ok := c.node["$ref"].(string)
		if !ok {
			return c
		}
		name, ok := strings.CutPrefix(ref, "#/definitions/")
		if !ok {
			return c
		}
		n, _ := s.defs[name].(map[string]any)
		c = cand{name, n}
	}
	return c
}

func (s *samSchema) branches(c cand, keyword string) []cand {
	var out []cand
	list, _ := c.node[keyword].([]any)
	for _, b := range list {
		m, _ := b.(map[string]any)
		out = append(out, s.deref(cand{c.def, m}))
	}
	return out
}

// fits picks the alternatives of an anyOf that fit v: by the Type
// discriminator when v has one (resources, events), then by JSON type, then,
// among maps, the ones that declare most of v's keys (an HttpApi Lambda
// authorizer against an OAuth2 one). None fit: why not.
func (s *samSchema) fits(branches []cand, v any) ([]int, string) {
	idx := make([]int, len(branches))
	for i := range idx {
		idx[i] = i
	}
	obj, isObj := v.(map[string]any)
	discriminated := false
	for _, b := range branches {
		tp, _ := props(b.node)["Type"].(map[string]any)
		_, hasEnum := tp["enum"]
		_, hasPat := tp["pattern"]
		discriminated = discriminated || hasEnum || hasPat
	}
	if typ, ok := obj["Type"].(string); discriminated && ok {
		var keep []int
		for _, i := range idx {
			tp, _ := props(branches[i].node)["Type"].(map[string]any)
			enum, hasEnum := tp["enum"].([]any)
			pat, hasPat := tp["pattern"].(string)
			switch {
			case hasEnum:
				if slices.Contains(enum, any(typ)) {
					keep = append(keep, i)
				}
			case hasPat:
				if re, err := samRegexp(pat); err == nil && re.MatchString(typ) {
					keep = append(keep, i)
				}
			default:
				keep = append(keep, i)
			}
		}
		if len(keep) == 0 {
			return nil, fmt.Sprintf("no alternative of the schema has Type %q", typ)
		}
		idx = keep
	} else if discriminated && isObj {
		return nil, "the value has no string Type, by which the schema tells its alternatives apart"
	}
	var keep []int
	for _, i := range idx {
		if typeFits(branches[i].node, v) {
			keep = append(keep, i)
		}
	}
	if len(keep) == 0 {
		return nil, "the value is " + jsonType(v) + ", which no alternative takes"
	}
	idx = keep
	if isObj && len(idx) > 1 {
		best, keep := -1, []int(nil)
		for _, i := range idx {
			n := 0
			for k := range obj {
				if _, ok := props(branches[i].node)[k]; ok {
					n++
				}
			}
			switch {
			case n > best:
				best, keep = n, []int{i}
			case n == best:
				keep = append(keep, i)
			}
		}
		idx = keep
	}
	return idx, ""
}

// expand lists the schemas that apply to v at c: c itself, its allOf, and
// the alternatives of its anyOf that fit v, $refs followed.
func (s *samSchema) expand(c cand, v any) []cand {
	c = s.deref(c)
	if c.node == nil {
		return nil
	}
	out := []cand{c}
	for _, b := range s.branches(c, "allOf") {
		out = append(out, s.expand(b, v)...)
	}
	for _, kw := range []string{"anyOf", "oneOf"} {
		bs := s.branches(c, kw)
		keep, _ := s.fits(bs, v)
		for _, i := range keep {
			out = append(out, s.expand(bs[i], v)...)
		}
	}
	return out
}

// lookup returns the property schemas met on the way from the document's
// root to path, outermost first. It stops where the schema says no more
// (inside a PassThroughProp or a free-form map, say); undeclared: it stopped
// at a key the schema forbids (additionalProperties false), an error already.
func (s *samSchema) lookup(doc any, path []string) (chain []prop, undeclared bool) {
	cur := []cand{{"SamModel", s.raw}}
	v := doc
	for _, key := range path {
		var next []cand
		var found *prop
		closed := false
		for _, c := range cur {
			for _, x := range s.expand(c, v) {
				switch v.(type) {
				case map[string]any:
					if p, ok := props(x.node)[key].(map[string]any); ok {
						next = append(next, cand{x.def, p})
						if found == nil {
							found = &prop{x.def, key, p}
						}
					} else if ap, ok := x.node["additionalProperties"].(map[string]any); ok {
						next = append(next, cand{x.def, ap})
					} else if ap, ok := x.node["additionalProperties"].(bool); ok && !ap {
						closed = true
					}
				case []any:
					if it, ok := x.node["items"].(map[string]any); ok {
						next = append(next, cand{x.def, it})
					}
				}
			}
		}
		if found != nil {
			chain = append(chain, *found)
		}
		if len(next) == 0 {
			return chain, closed
		}
		cur, v = next, child(v, key)
	}
	return chain, false
}

// passThrough returns the first property on the chain that SAM passes to
// CloudFormation as it is: marked __samPassThrough, or documented "passed
// directly to" a CloudFormation property.
func passThrough(chain []prop) (prop, bool) {
	for _, p := range chain {
		if _, ok := p.node["__samPassThrough"]; ok {
			return p, true
		}
		if strings.Contains(compatibility(p.node), "passed directly to") {
			return p, true
		}
	}
	return prop{}, false
}

var (
	compatRE = regexp.MustCompile(`\*(?:AWS )?CloudFormation compatibility\*:\s*([^\n]*)`)
	linkRE   = regexp.MustCompile(`\[([^\]]*)\]\([^)]*\)`)
)

// compatibility is the first sentence of the "CloudFormation compatibility"
// line of SAM's documentation of a property, which the schema carries,
// without its links.
func compatibility(node map[string]any) string {
	md, _ := node["markdownDescription"].(string)
	m := compatRE.FindStringSubmatch(md)
	if m == nil {
		return ""
	}
	s := strings.TrimSpace(linkRE.ReplaceAllString(m[1], "$1"))
	if i := strings.Index(s, ". "); i >= 0 {
		s = s[:i+1]
	}
	return s
}

// sentOpenAPI are SAM-only properties SAM's translator copies as they stand
// into the OpenAPI body it generates for an HttpApi.
var sentOpenAPI = map[string]bool{
	"LambdaAuthorizerIdentity.ReauthorizeEvery":       true,
	"LambdaAuthorizer.EnableSimpleResponses":          true,
	"LambdaAuthorizer.AuthorizerPayloadFormatVersion": true,
}

func (s *samSchema) refusal(chain []prop) string {
	if len(chain) == 0 {
		return "SAM wants a literal here and does not resolve an intrinsic"
	}
	p := chain[len(chain)-1]
	want := s.want(p.node)
	if sentOpenAPI[p.def+"."+p.name] {
		return "SAM wants " + want + " here and copies an intrinsic into the OpenAPI body unresolved"
	}
	why := "SAM reads it itself while transforming the template and does not resolve an intrinsic"
	if c := compatibility(p.node); c != "" {
		why += fmt.Sprintf(" (%s: %q)", p, c)
	}
	return "SAM wants " + want + " here; " + why
}

// want describes what a property schema takes: "an integer", "a boolean",
// `one of "Active", "PassThrough"`, ...
func (s *samSchema) want(node map[string]any) string {
	c := s.deref(cand{"", node})
	if enum, ok := c.node["enum"].([]any); ok {
		var vs []string
		for _, e := range enum {
			b, _ := json.Marshal(e)
			vs = append(vs, string(b))
		}
		if len(vs) == 1 {
			return vs[0]
		}
		return "one of " + strings.Join(vs, ", ")
	}
	var alts []string
	for _, kw := range []string{"anyOf", "oneOf"} {
		for _, b := range s.branches(c, kw) {
			alts = append(alts, s.want(b.node))
		}
	}
	for _, b := range s.branches(c, "allOf") {
		if w := s.want(b.node); w != "anything" {
			return w
		}
	}
	if len(alts) > 0 {
		return strings.Join(alts, " or ")
	}
	switch t, _ := c.node["type"].(string); t {
	case "integer":
		return "an integer"
	case "boolean":
		return "a boolean"
	case "string":
		return "a string"
	case "number":
		return "a number"
	case "array":
		return "a list"
	case "object":
		if _, ok := c.node["properties"]; ok {
			return "a map of its own properties"
		}
		return "a map"
	}
	return "anything"
}

func props(node map[string]any) map[string]any {
	p, _ := node["properties"].(map[string]any)
	return p
}

func typeFits(node map[string]any, v any) bool {
	var types []string
	switch t := node["type"].(type) {
	case string:
		types = []string{t}
	case []any:
		for _, x := range t {
			if s, ok := x.(string); ok {
				types = append(types, s)
			}
		}
	default:
		return true
	}
	got := jsonType(v)
	for _, t := range types {
		if t == got || t == "number" && got == "integer" {
			return true
		}
	}
	return false
}

// --- reading the template ---

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func jsonType(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	case json.Number:
		if _, err := v.Int64(); err == nil {
			return "integer"
		}
		if f, err := v.Float64(); err == nil && f == float64(int64(f)) {
			return "integer"
		}
		return "number"
	}
	return fmt.Sprintf("%T", v)
}

// isIntrinsic: {"Ref": ..}, {"Condition": ..} or {"Fn::...": ..}.
func isIntrinsic(v any) bool {
	m, ok := v.(map[string]any)
	if !ok || len(m) != 1 {
		return false
	}
	for k := range m {
		return k == "Ref" || k == "Condition" || strings.HasPrefix(k, "Fn::")
	}
	return false
}

func child(v any, key string) any {
	switch v := v.(type) {
	case map[string]any:
		return v[key]
	case []any:
		if i, err := strconv.Atoi(key); err == nil && i >= 0 && i < len(v) {
			return v[i]
		}
	}
	return nil
}

func valueAt(doc any, path []string) any {
	for _, k := range path {
		doc = child(doc, k)
	}
	return doc
}

// forEachIntrinsic calls fn with the path of every intrinsic, outermost only.
func forEachIntrinsic(v any, path []string, fn func([]string)) {
	if isIntrinsic(v) {
		fn(slices.Clone(path))
		return
	}
	switch v := v.(type) {
	case map[string]any:
		for k, c := range v {
			forEachIntrinsic(c, append(path, k), fn)
		}
	case []any:
		for i, c := range v {
			forEachIntrinsic(c, append(path, strconv.Itoa(i)), fn)
		}
	}
}

func pointer(path []string) string {
	var b strings.Builder
	for _, p := range path {
		b.WriteByte('/')
		b.WriteString(strings.ReplaceAll(strings.ReplaceAll(p, "~", "~0"), "/", "~1"))
	}
	if b.Len() == 0 {
		return "/"
	}
	return b.String()
}

func dotted(path []string) string {
	if len(path) == 0 {
		return "(template)"
	}
	return strings.Join(path, ".")
}

// --- tests ---

// TestSAMSchemaCheck proves the check can fail, and where it must not, on
// small templates.
func TestSAMSchemaCheck(t *testing.T) {
	const head = "Transform: AWS::Serverless-2016-10-31\nResources:\n"
	const fn = head + `  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: .
      Handler: bootstrap
`
	const api = head + `  Api:
    Type: AWS::Serverless::HttpApi
    Properties:
      Auth:
        Authorizers:
          Az:
            FunctionArn: !GetAtt Fn.Arn
            AuthorizerPayloadFormatVersion: "2.0"
`
	type want struct{ pointer, message string } // message: a substring
	tests := []struct {
		name        string
		yaml        string
		refused     []want // exactly these findings
		passThrough int    // intrinsics accepted as pass-throughs
	}{
		{name: "minimal function", yaml: fn + "      Runtime: provided.al2023\n"},
		{
			// Runtime is a __samPassThrough property, {} in SAM's schema: SAM
			// hands it to AWS::Lambda::Function as it is and CloudFormation's
			// own schema, which this check does not have, would refuse 42.
			name: "Runtime 42 passes SAM's schema (CloudFormation checks it)",
			yaml: fn + "      Runtime: 42\n",
		},
		{
			name:    "SAM-only boolean given a string",
			yaml:    fn + "      PropagateTags: \"yes\"\n",
			refused: []want{{"/Resources/Fn/Properties/PropagateTags", "got string, want boolean"}},
		},
		{
			name:    "HttpApi Description is SAM-only and a string",
			yaml:    api + "      Description: 42\n",
			refused: []want{{"/Resources/Api/Properties/Description", "got number, want string"}},
		},
		{
			name:    "unknown property on a Function",
			yaml:    fn + "      Foo: bar\n",
			refused: []want{{"/Resources/Fn/Properties", "additional properties 'Foo' not allowed"}},
		},
		{
			name:    "an intrinsic under an unknown property is reported once, as the unknown property",
			yaml:    fn + "      Foo: !Ref X\n",
			refused: []want{{"/Resources/Fn/Properties", "additional properties 'Foo' not allowed"}},
		},
		{
			name:    "unknown resource attribute",
			yaml:    fn + "    Bogus: 1\n",
			refused: []want{{"/Resources/Fn", "additional properties 'Bogus' not allowed"}},
		},
		{
			name:    "unknown AWS::Serverless type",
			yaml:    head + "  X:\n    Type: AWS::Serverless::Functon\n",
			refused: []want{{"/Resources/X", `no alternative of the schema has Type "AWS::Serverless::Functon"`}},
		},
		{
			name:    "resource without Type",
			yaml:    head + "  X:\n    Properties: {}\n",
			refused: []want{{"/Resources/X", "has no string Type"}},
		},
		{name: "no Resources", yaml: "Transform: AWS::Serverless-2016-10-31\n", refused: []want{{"/", "missing property 'Resources'"}}},
		{
			name:    "unknown event type",
			yaml:    fn + "      Events:\n        Get:\n          Type: HttpAPI\n          Properties: {Method: GET, Path: /x}\n",
			refused: []want{{"/Resources/Fn/Properties/Events/Get", `no alternative of the schema has Type "HttpAPI"`}},
		},
		{
			// "If you use intrinsic functions in CodeUri property, AWS SAM
			// will not be able to correctly parse the values" (the page on
			// intrinsic functions quoted at the top).
			name:    "CodeUri !Ref",
			yaml:    head + "  Fn:\n    Type: AWS::Serverless::Function\n    Properties: {CodeUri: !Ref Code, Handler: bootstrap}\n",
			refused: []want{{"/Resources/Fn/Properties/CodeUri", "SAM wants a string or a map of its own properties here"}},
		},
		{
			name: "other CloudFormation resources are SAM's business only by Type",
			yaml: head + "  T:\n    Type: AWS::SNS::Topic\n    Properties: {Whatever: !Ref X, Count: !If [C, 1, 2]}\n",
		},
		{
			name: "HttpApi event with an unknown property",
			yaml: fn + `      Events:
        Get:
          Type: HttpApi
          Properties: {ApiId: !Ref Api, Method: GET, Path: /x, Verb: GET}
`,
			refused: []want{{"/Resources/Fn/Properties/Events/Get/Properties", "additional properties 'Verb' not allowed"}},
		},
		{
			name: "ReauthorizeEvery !Ref on an HttpApi authorizer",
			yaml: api + "            Identity: {Headers: [Authorization], ReauthorizeEvery: !Ref P}\n",
			refused: []want{{
				"/Resources/Api/Properties/Auth/Authorizers/Az/Identity/ReauthorizeEvery",
				"Resources.Api.Properties.Auth.Authorizers.Az.Identity.ReauthorizeEvery: SAM wants an integer here and copies an intrinsic into the OpenAPI body unresolved",
			}},
		},
		{
			name:    "ReauthorizeEvery literal",
			yaml:    api + "            Identity: {Headers: [Authorization], ReauthorizeEvery: 0}\n",
			refused: nil,
		},
		{
			// CloudFormation resolves it in the body SAM generates: what
			// arrives is one of the literals, and each is a boolean.
			name:    "EnableSimpleResponses !If over booleans",
			yaml:    api + "            EnableSimpleResponses: !If [C, true, false]\n",
			refused: nil,
		},
		{
			name:    "ReauthorizeEvery !If over integers, nested",
			yaml:    api + "            Identity: {Headers: [Authorization], ReauthorizeEvery: !If [C, 300, !If [D, 60, 0]]}\n",
			refused: nil,
		},
		{
			name:    "ReauthorizeEvery !If with a string branch",
			yaml:    api + "            Identity: {Headers: [Authorization], ReauthorizeEvery: !If [C, 300, \"x\"]}\n",
			refused: []want{{"/Resources/Api/Properties/Auth/Authorizers/Az/Identity/ReauthorizeEvery", "got string, want integer"}},
		},
		{
			name: "ReauthorizeEvery !If with a Ref branch",
			yaml: api + "            Identity: {Headers: [Authorization], ReauthorizeEvery: !If [C, !Ref P, 0]}\n",
			refused: []want{{
				"/Resources/Api/Properties/Auth/Authorizers/Az/Identity/ReauthorizeEvery",
				"Resources.Api.Properties.Auth.Authorizers.Az.Identity.ReauthorizeEvery: SAM wants an integer here and copies an intrinsic into the OpenAPI body unresolved",
			}},
		},
		{
			name:    "a whole SAM-only map as an intrinsic",
			yaml:    api + "            Identity: !Ref P\n",
			refused: []want{{"/Resources/Api/Properties/Auth/Authorizers/Az/Identity", "SAM wants a map of its own properties here"}},
		},
		{
			name:    "Schedule Enabled !Ref",
			yaml:    fn + "      Events:\n        S:\n          Type: Schedule\n          Properties: {Schedule: rate(1 hour), Enabled: !Ref E}\n",
			refused: []want{{"/Resources/Fn/Properties/Events/S/Properties/Enabled", "SAM wants a boolean here"}},
		},
		{
			name:        "Timeout !Ref on a Function is a pass-through",
			yaml:        fn + "      Timeout: !Ref T\n",
			passThrough: 1,
		},
		{
			name:        "Globals Function Timeout and Environment intrinsics are pass-throughs",
			yaml:        "Globals:\n  Function:\n    Timeout: !Ref T\n    Environment: {Variables: {A: !Ref A, B: !Sub '${A}-b'}}\n" + fn,
			passThrough: 3,
		},
		{
			// Typed integer in the schema, but documented "passed directly to
			// the MaximumRetryAttempts property of an
			// AWS::Lambda::EventInvokeConfig resource".
			name:        "EventInvokeConfig MaximumRetryAttempts !Ref is a documented pass-through",
			yaml:        fn + "      EventInvokeConfig: {MaximumRetryAttempts: !Ref R}\n",
			passThrough: 1,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rep := checkSAMTemplate(t, []byte(tc.yaml))
			var got []string
			for _, f := range rep.Findings {
				got = append(got, f.String())
			}
			matched := make([]bool, len(rep.Findings))
			for _, w := range tc.refused {
				ok := false
				for i, f := range rep.Findings {
					if !matched[i] && f.Pointer == w.pointer && strings.Contains(f.String(), w.message) {
						matched[i], ok = true, true
						break
					}
				}
				if !ok {
					t.Errorf("want refused at %s with %q; got:\n%s", w.pointer, w.message, strings.Join(got, "\n"))
				}
			}
			if len(rep.Findings) != len(tc.refused) {
				t.Errorf("%d finding(s), want %d:\n%s", len(rep.Findings), len(tc.refused), strings.Join(got, "\n"))
			}
			if len(rep.PassThrough) != tc.passThrough {
				t.Errorf("%d pass-through intrinsic(s), want %d:\n%s", len(rep.PassThrough), tc.passThrough, rep.summary())
			}
		})
	}
}

func TestNotServerlessPattern(t *testing.T) {
	for s, want := range map[string]bool{
		"AWS::DynamoDB::Table":      true,
		"Custom::Thing":             true,
		"AWS::Serverless::Function": false,
		"AWS::Serverless::":         false,
		"":                          false,
		"AWS::SNS::Topic\nX":        false,
		"AWS::Serverless":           true,
	} {
		if got := (notServerless{}).MatchString(s); got != want {
			t.Errorf("%q: %v, want %v", s, got, want)
		}
	}
}

// TestTemplateMatchesSAMSchema checks the real template.yaml.
func TestTemplateMatchesSAMSchema(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(root(t), "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	rep := checkSAMTemplate(t, data)
	t.Log(rep.summary())
	if rep.Serverless == 0 {
		t.Fatal("no AWS::Serverless resources found: is this the SAM template?")
	}
	if len(rep.Findings) > 0 {
		var b strings.Builder
		for _, f := range rep.Findings {
			b.WriteString("\n" + f.String())
		}
		t.Errorf("template.yaml does not match SAM's schema (%d error(s)):%s", len(rep.Findings), b.String())
	}
}
