package samschema

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/keymint/keymint/internal/cfn"
	"github.com/pb33f/jsonschema/v6"
	"github.com/pb33f/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// CheckTemplate validates a YAML or JSON template against SAM's schema. An
// error is a template it cannot read; what the schema refuses is in the
// report's Findings.
func (s *Schema) CheckTemplate(yamlDoc []byte) (*Report, error) {
	js, err := cfn.ToJSON(yamlDoc)
	if err != nil {
		return nil, err
	}
	doc, err := jsonschema.UnmarshalJSON(strings.NewReader(string(js)))
	if err != nil {
		return nil, err
	}
	ifs := literalIfs(doc, nil)
	if len(ifs) == 0 {
		return s.check(doc)
	}
	// One pass per branch: each literal Fn::If takes its i-th literal (its
	// last one once it has no more), so every literal is validated.
	var rep *Report
	seen := map[string]bool{}
	for i := 0; i < maxBranches(ifs); i++ {
		variant, err := withBranch(js, ifs, i)
		if err != nil {
			return nil, err
		}
		r, err := s.check(variant)
		if err != nil {
			return nil, err
		}
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
		rep.LiteralIf = append(rep.LiteralIf, Intrinsic{dotted(f.path), fmt.Sprintf("Fn::If over literals %v, each validated", f.leaves)})
	}
	return rep, nil
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
func withBranch(js []byte, ifs []literalIf, i int) (any, error) {
	doc, err := jsonschema.UnmarshalJSON(strings.NewReader(string(js)))
	if err != nil {
		return nil, err
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
	return doc, nil
}

// check validates one document (no literal Fn::If left in it).
func (s *Schema) check(doc any) (*Report, error) {
	rep := &Report{}
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
			return nil, fmt.Errorf("validating: %w", err)
		}
		seen := map[string]bool{}
		s.walk(verr, doc, func(e *jsonschema.ValidationError, msg string) {
			f := Finding{Pointer: pointer(e.InstanceLocation), Schema: keywordLocation(e), Message: msg}
			if isIntrinsic(valueAt(doc, e.InstanceLocation)) {
				chain, _ := s.lookup(doc, e.InstanceLocation)
				if p, ok := passThrough(chain); ok {
					rep.PassThrough = append(rep.PassThrough, Intrinsic{dotted(e.InstanceLocation),
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
			rep.PassThrough = append(rep.PassThrough, Intrinsic{dotted(path), p.String() + " is a pass-through"})
		case len(chain) > 0:
			rep.SAMMap = append(rep.SAMMap, Intrinsic{dotted(path), "in " + chain[len(chain)-1].String()})
		default:
			rep.SAMMap = append(rep.SAMMap, Intrinsic{dotted(path), "no property schema"})
		}
	})
	slices.SortFunc(rep.Findings, func(a, b Finding) int { return strings.Compare(a.Pointer+a.Message, b.Pointer+b.Message) })
	bypath := func(a, b Intrinsic) int { return strings.Compare(a.Path, b.Path) }
	slices.SortFunc(rep.PassThrough, bypath)
	slices.SortFunc(rep.SAMMap, bypath)
	return rep, nil
}

// described: the path lies where SAM's schema describes the template
// (Globals, or inside an AWS::Serverless::* resource).
func (s *Schema) described(doc any, path []string) bool {
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
func (s *Schema) walk(e *jsonschema.ValidationError, doc any, report func(*jsonschema.ValidationError, string)) {
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

func message1(e *jsonschema.ValidationError) string {
	return e.ErrorKind.LocalizedString(message.NewPrinter(language.English))
}

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
