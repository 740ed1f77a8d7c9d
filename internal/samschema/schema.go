package samschema

import (
	"bytes"
	_ "embed"
	"fmt"
	"regexp"
	"strings"

	"github.com/pb33f/jsonschema/v6"
)

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

//go:embed sam.schema.json
var schemaJSON []byte

// schemaURL names the embedded schema for the compiler; its refs are all
// local (#/definitions/...), so nothing is ever fetched from it.
const schemaURL = "file:///keymint/sam.schema.json"

// Schema is SAM's schema compiled (it is 750 KB: load it once and share
// it), and kept raw too: the validator keeps neither __samPassThrough nor
// the documentation the judgement of intrinsics reads.
type Schema struct {
	compiled *jsonschema.Schema
	raw      map[string]any
	defs     map[string]any
}

// Load compiles the embedded schema.
func Load() (*Schema, error) {
	const path = "sam.schema.json"
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schemaJSON))
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
	if err := c.AddResource(schemaURL, doc); err != nil {
		return nil, err
	}
	sch, err := c.Compile(schemaURL)
	if err != nil {
		return nil, err
	}
	defs, _ := raw["definitions"].(map[string]any)
	return &Schema{compiled: sch, raw: raw, defs: defs}, nil
}
