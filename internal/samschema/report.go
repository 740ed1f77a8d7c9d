package samschema

import (
	"fmt"
	"strings"
)

// Finding is one error: where, what the schema said, and for an intrinsic
// standing where SAM wants a literal, why that is refused.
type Finding struct {
	Pointer   string // JSON pointer into the template
	Schema    string // the schema's keyword location
	Message   string // the schema's message
	Intrinsic string // set for an intrinsic that is no documented pass-through
}

func (f Finding) String() string {
	s := fmt.Sprintf("%s: %s [schema %s]", f.Pointer, f.Message, f.Schema)
	if f.Intrinsic != "" {
		s += "\n\t" + f.Intrinsic
	}
	return s
}

// Intrinsic is an intrinsic the check let through, and why.
type Intrinsic struct {
	Path string // dotted JSON path in the template
	Why  string
}

type Report struct {
	Resources  int // resources in the template
	Serverless int // of which AWS::Serverless::* (checked property by property)
	Findings   []Finding
	// Intrinsics let through: at a pass-through property (by the schema's
	// __samPassThrough marker or SAM's documentation), at a SAM property
	// whose schema takes a map and so an intrinsic (FunctionArn, ApiId,
	// Policies), and outside what SAM's schema describes (other resources,
	// Outputs, ...).
	PassThrough, SAMMap []Intrinsic
	// LiteralIf: Fn::Ifs over literals, each literal validated in place.
	LiteralIf []Intrinsic
	Outside   int
}

func (r *Report) Summary() string {
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
