// Package cfn parses CloudFormation/SAM templates with goformation without
// going through goformation's YAML entry point, whose short-tag (!Ref, !Sub)
// support writes to a package-level map on every call and so cannot be used
// from parallel tests. Short tags are expanded here instead, and the result is
// handed to goformation as JSON.
package cfn

import (
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/awslabs/goformation/v7"
	"github.com/awslabs/goformation/v7/cloudformation"
	"github.com/awslabs/goformation/v7/intrinsics"
	"gopkg.in/yaml.v3"
)

// ParseFile reads a YAML or JSON template and processes its intrinsic
// functions with opts (nil: goformation's defaults).
func ParseFile(path string, opts *intrinsics.ProcessorOptions) (*cloudformation.Template, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	js, err := ToJSON(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return ParseJSON(js, opts)
}

// ParseJSON processes a JSON template (as ToJSON returns) with opts.
func ParseJSON(js []byte, opts *intrinsics.ProcessorOptions) (*cloudformation.Template, error) {
	js, err := withoutNewerProperties(js)
	if err != nil {
		return nil, err
	}
	return goformation.ParseJSONWithOptions(js, opts)
}

// newerThanGoformation are SAM properties goformation v7.14.9's typed
// resources do not know yet (a dotted name is nested: Auth.ApiKeyRequired);
// it refuses unknown fields. Nothing local reads them through goformation
// (log routing and the API's access log are AWS's; internal/stack reads a
// REST API's key settings from the template itself), so they are dropped
// before parsing. SAM's own schema check (infra/templatecheck) still sees
// them.
var newerThanGoformation = map[string][]string{
	"AWS::Serverless::Function": {"LoggingConfig"},
	"AWS::Serverless::HttpApi":  {"AccessLogSettings"},
	"AWS::Serverless::Api":      {"ApiKeySourceType", "Auth.ApiKeyRequired"},
}

func withoutNewerProperties(js []byte) ([]byte, error) {
	var t map[string]any
	if err := json.Unmarshal(js, &t); err != nil {
		return nil, err
	}
	res, _ := t["Resources"].(map[string]any)
	for _, v := range res {
		r, _ := v.(map[string]any)
		props, _ := r["Properties"].(map[string]any)
		typ, _ := r["Type"].(string)
		for _, k := range newerThanGoformation[typ] {
			deletePath(props, k)
		}
	}
	return json.Marshal(t)
}

// deletePath deletes the property a dotted path names.
func deletePath(m map[string]any, path string) {
	head, rest, nested := strings.Cut(path, ".")
	if !nested {
		delete(m, head)
		return
	}
	if sub, ok := m[head].(map[string]any); ok {
		deletePath(sub, rest)
	}
}

// ToJSON converts a YAML (or JSON, which is YAML) template to JSON, turning
// short-form intrinsics into their long form: `!GetAtt A.Arn` becomes
// {"Fn::GetAtt":["A","Arn"]}.
func ToJSON(data []byte) ([]byte, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("invalid YAML template: %w", err)
	}
	v, err := convert(&doc)
	if err != nil {
		return nil, err
	}
	return json.Marshal(v)
}

func convert(n *yaml.Node) (any, error) {
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return convert(n.Content[0])
	case yaml.AliasNode:
		return convert(n.Alias)
	}
	if fn, ok := shortTag(n.Tag); ok {
		inner := *n
		inner.Tag = ""
		if n.Kind == yaml.ScalarNode {
			inner.Tag = "!!str"
		}
		v, err := convert(&inner)
		if err != nil {
			return nil, err
		}
		if s, isStr := v.(string); isStr && fn == "Fn::GetAtt" {
			res, attr, _ := strings.Cut(s, ".")
			v = []any{res, attr}
		}
		return map[string]any{fn: v}, nil
	}
	switch n.Kind {
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Tag == "!!merge" {
				return nil, fmt.Errorf("line %d: YAML merge keys are not supported in templates", k.Line)
			}
			v, err := convert(n.Content[i+1])
			if err != nil {
				return nil, err
			}
			m[k.Value] = v
		}
		return m, nil
	case yaml.SequenceNode:
		s := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			v, err := convert(c)
			if err != nil {
				return nil, err
			}
			s = append(s, v)
		}
		return s, nil
	case yaml.ScalarNode:
		return scalar(n)
	}
	return nil, fmt.Errorf("line %d: unsupported YAML node", n.Line)
}

func scalar(n *yaml.Node) (any, error) {
	switch n.ShortTag() {
	case "!!null":
		return nil, nil
	case "!!bool":
		var b bool
		err := n.Decode(&b)
		return b, err
	case "!!int", "!!float":
		f, err := strconv.ParseFloat(strings.ReplaceAll(n.Value, "_", ""), 64)
		if err != nil {
			var v any
			if derr := n.Decode(&v); derr != nil {
				return nil, derr
			}
			return v, nil
		}
		return f, nil
	default:
		return n.Value, nil
	}
}

// shortTag maps CloudFormation's YAML short forms to intrinsic names.
func shortTag(tag string) (string, bool) {
	name, ok := strings.CutPrefix(tag, "!")
	if !ok || strings.HasPrefix(name, "!") {
		return "", false
	}
	switch name {
	case "Ref", "Condition":
		return name, true
	case "GetAtt", "Base64", "FindInMap", "GetAZs", "ImportValue", "Join", "Select",
		"Split", "Sub", "Equals", "Cidr", "And", "If", "Not", "Or", "Transform", "ToJsonString", "Length":
		return "Fn::" + name, true
	}
	return "", false
}
