package stack

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/awslabs/goformation/v7/cloudformation"
	"github.com/awslabs/goformation/v7/cloudformation/global"
	"github.com/awslabs/goformation/v7/cloudformation/serverless"
	"github.com/awslabs/goformation/v7/intrinsics"
	"github.com/keymint/keymint/internal/cfn"
)

// ErrTemplate marks a template the local stack cannot use.
var ErrTemplate = errors.New("stack: unusable template")

// Resolver says what intrinsic functions resolve to, standing in for the
// values CloudFormation knows only at deploy time.
type Resolver struct {
	// Refs gives a resource's Ref value; a resource missing here resolves
	// to its logical id, a usage plan to its local id (UsagePlanID).
	// Parameters resolve to their Default.
	Refs map[string]string
	// Parameters overrides parameter defaults, like --parameter-overrides;
	// each must be a parameter of the template.
	Parameters map[string]string
	// GetAtt resolves Fn::GetAtt (and ${A.B} in Fn::Sub); nil resolves every
	// attribute to "", as nothing local can know a deployed ARN.
	GetAtt func(resource, attribute string) string
}

// pseudoParam gives pseudo parameters the values of the fake account `sam
// local` uses.
func pseudoParam(name string) (any, bool) {
	switch name {
	case "AWS::AccountId":
		return "123456789012", true
	case "AWS::Region":
		return "us-east-1", true
	case "AWS::Partition":
		return "aws", true
	case "AWS::URLSuffix":
		return "amazonaws.com", true
	case "AWS::StackName":
		return "keymint", true
	case "AWS::StackId":
		return "arn:aws:cloudformation:us-east-1:123456789012:stack/keymint/local", true
	case "AWS::NotificationARNs":
		return []any{}, true
	case "AWS::NoValue":
		return nil, true
	}
	return nil, false
}

// Stack is the parsed template.
type Stack struct {
	Functions map[string]*Function // by logical id
	APIs      map[string]*HTTPAPI  // by logical id
	// RestAPIs are the AWS::Serverless::Api resources (REST APIs), by
	// logical id (rest.go).
	RestAPIs map[string]*RestAPI
	// UsagePlans are the AWS::ApiGateway::UsagePlan resources, by logical
	// id (usageplan.go).
	UsagePlans map[string]*UsagePlan
	Template   *cloudformation.Template
}

// Function is one AWS::Serverless::Function with Globals applied.
type Function struct {
	LogicalID     string
	Runtime       string
	Handler       string
	Architectures []string
	CodeURI       string
	BuildMethod   string // Metadata.BuildMethod
	Timeout       int    // seconds
	MemorySize    int    // MB
	Env           map[string]string
	Statements    []Statement // inline IAM statements from Policies
	OtherPolicies int         // Policies entries that are not inline documents (managed policies, SAM templates)
	Routes        []Route
	RestRoutes    []RestRoute // Api events (REST APIs)
	Schedules     []string    // Schedule event expressions
}

// Statement is one inline IAM policy statement.
type Statement struct {
	Sid       string
	Effect    string
	Actions   []string
	Resources []string
}

// Route is one HttpApi event.
type Route struct {
	Method     string // upper case; ANY matches every method
	Path       string // e.g. /tokens/{id}
	Function   string // logical id
	API        string // logical id of the HttpApi
	Event      string // event name in the function
	Authorizer string // authorizer name, "" for none
}

// Key is the HTTP API route key, e.g. "GET /tokens/{id}".
func (r Route) Key() string { return r.Method + " " + r.Path }

// HTTPAPI is one AWS::Serverless::HttpApi with the routes that name it.
type HTTPAPI struct {
	LogicalID         string
	DefaultAuthorizer string
	Authorizers       map[string]*Authorizer
	Routes            []Route
	// StageVariables are its stage's variables (StageVariables), which API
	// Gateway passes in every authorizer and integration event; nil when
	// it has none.
	StageVariables map[string]string
}

// Authorizer is a Lambda authorizer of an HTTP API.
type Authorizer struct {
	Name                 string
	Function             string // logical id of the authorizer function
	PayloadFormatVersion string
	SimpleResponses      bool
	IdentityHeaders      []string
	IdentityQueryStrings []string
	IdentityContext      []string // e.g. routeKey for $context.routeKey
	ReauthorizeEvery     int
}

// Load parses the template at path, resolving intrinsics through r.
func Load(path string, r Resolver) (*Stack, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	js, err := cfn.ToJSON(data)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrTemplate, path, err)
	}
	if js, err = r.applyConditions(js); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrTemplate, path, err)
	}
	var raw rawTemplate
	if err := json.Unmarshal(js, &raw); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrTemplate, path, err)
	}
	resolved, err := r.resolve(js)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrTemplate, path, err)
	}
	js, err = onlyServerless(js)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrTemplate, path, err)
	}
	tmpl, err := cfn.ParseJSON(js, r.options())
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrTemplate, path, err)
	}
	s := &Stack{Functions: map[string]*Function{}, APIs: map[string]*HTTPAPI{}, Template: tmpl,
		RestAPIs: map[string]*RestAPI{}, UsagePlans: map[string]*UsagePlan{}}
	for id, api := range tmpl.GetAllServerlessHttpApiResources() {
		a, err := readAPI(id, api, raw)
		if err != nil {
			return nil, err
		}
		s.APIs[id] = a
	}
	glob, err := tmpl.GetServerlessGlobalFunction()
	if err != nil {
		glob = nil // a template without Globals.Function is fine
	}
	for id, fn := range tmpl.GetAllServerlessFunctionResources() {
		f, err := readFunction(id, fn, glob, raw)
		if err != nil {
			return nil, err
		}
		s.Functions[id] = f
	}
	if err := s.linkRoutes(); err != nil {
		return nil, err
	}
	if err := s.readRest(raw, resolved); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Stack) linkRoutes() error {
	for _, id := range slices.Sorted(maps.Keys(s.Functions)) {
		f := s.Functions[id]
		for i := range f.Routes {
			rt := &f.Routes[i]
			if rt.API == "" {
				// SAM attaches events without ApiId to an implicit API.
				rt.API = "ServerlessHttpApi"
				if _, ok := s.APIs[rt.API]; !ok {
					s.APIs[rt.API] = &HTTPAPI{LogicalID: rt.API, Authorizers: map[string]*Authorizer{}}
				}
			}
			api, ok := s.APIs[rt.API]
			if !ok {
				return fmt.Errorf("%w: %s event %s names unknown HttpApi %q", ErrTemplate, id, rt.Event, rt.API)
			}
			switch rt.Authorizer {
			case "":
				rt.Authorizer = api.DefaultAuthorizer
			case "NONE":
				rt.Authorizer = ""
			}
			if rt.Authorizer != "" && api.Authorizers[rt.Authorizer] == nil {
				return fmt.Errorf("%w: route %s uses unknown authorizer %q", ErrTemplate, rt.Key(), rt.Authorizer)
			}
			api.Routes = append(api.Routes, *rt)
		}
	}
	for _, api := range s.APIs {
		seen := map[string]string{}
		for _, rt := range api.Routes {
			if other, dup := seen[rt.Key()]; dup {
				return fmt.Errorf("%w: route %s is on both %s and %s", ErrTemplate, rt.Key(), other, rt.Function)
			}
			seen[rt.Key()] = rt.Function
		}
		for name, a := range api.Authorizers {
			if _, ok := s.Functions[a.Function]; !ok {
				return fmt.Errorf("%w: authorizer %s of %s: FunctionArn must be !GetAtt <Function>.Arn of a function in this template", ErrTemplate, name, api.LogicalID)
			}
		}
	}
	return nil
}

// onlyServerless empties the properties of every resource but SAM functions
// and HTTP APIs. Resolved Refs are strings (as in environment variables), and
// goformation would refuse a string such as a parameter's "true" in a typed
// field like the table's DeletionProtectionEnabled; the local stack reads
// those resources elsewhere (tabledef) or not at all. The resources stay, so
// a Ref to them still resolves.
func onlyServerless(js []byte) ([]byte, error) {
	var t map[string]any
	if err := json.Unmarshal(js, &t); err != nil {
		return nil, err
	}
	res, _ := t["Resources"].(map[string]any)
	for id, v := range res {
		r, ok := v.(map[string]any)
		if !ok {
			continue
		}
		switch r["Type"] {
		case "AWS::Serverless::Function", "AWS::Serverless::HttpApi":
		default:
			res[id] = map[string]any{"Type": r["Type"], "Properties": map[string]any{}}
		}
	}
	return json.Marshal(t)
}

// rawTemplate is the unresolved template, for the few places where the
// intrinsic itself matters (which function an authorizer's ARN points at).
type rawTemplate struct {
	Resources map[string]struct {
		Type       string
		Properties json.RawMessage
	}
}

func readAPI(id string, api *serverless.HttpApi, raw rawTemplate) (*HTTPAPI, error) {
	a := &HTTPAPI{LogicalID: id, Authorizers: map[string]*Authorizer{}}
	if len(api.StageVariables) > 0 {
		a.StageVariables = maps.Clone(api.StageVariables)
	}
	if api.Auth == nil {
		return a, nil
	}
	a.DefaultAuthorizer = deref(api.Auth.DefaultAuthorizer)
	var props struct {
		Auth struct {
			Authorizers map[string]struct {
				FunctionArn                    any
				AuthorizerPayloadFormatVersion any
				EnableSimpleResponses          *bool
				Identity                       struct {
					Headers          []string
					QueryStrings     []string
					Context          []string
					ReauthorizeEvery any
				}
			}
		}
	}
	if err := json.Unmarshal(raw.Resources[id].Properties, &props); err != nil {
		return nil, fmt.Errorf("%w: %s.Auth: %v", ErrTemplate, id, err)
	}
	resolved, _ := api.Auth.Authorizers.(map[string]any)
	for name, ra := range props.Auth.Authorizers {
		fn, ok := getAttFunction(ra.FunctionArn)
		if !ok {
			return nil, fmt.Errorf("%w: authorizer %s of %s: FunctionArn must be !GetAtt <Function>.Arn", ErrTemplate, name, id)
		}
		az := &Authorizer{
			Name:                 name,
			Function:             fn,
			SimpleResponses:      ra.EnableSimpleResponses != nil && *ra.EnableSimpleResponses,
			IdentityHeaders:      ra.Identity.Headers,
			IdentityQueryStrings: ra.Identity.QueryStrings,
			IdentityContext:      ra.Identity.Context,
		}
		// Intrinsics (a Ref to a parameter) are taken from the resolved copy.
		if m, ok := resolved[name].(map[string]any); ok {
			az.PayloadFormatVersion = stringify(m["AuthorizerPayloadFormatVersion"])
			if id, ok := m["Identity"].(map[string]any); ok {
				if v := stringify(id["ReauthorizeEvery"]); v != "" {
					n, err := strconv.Atoi(v)
					if err != nil {
						return nil, fmt.Errorf("%w: authorizer %s: ReauthorizeEvery %q", ErrTemplate, name, v)
					}
					az.ReauthorizeEvery = n
				}
			}
		}
		a.Authorizers[name] = az
	}
	return a, nil
}

// getAttFunction extracts Fn from {"Fn::GetAtt":["Fn","Arn"]}.
func getAttFunction(v any) (string, bool) {
	m, ok := v.(map[string]any)
	if !ok {
		return "", false
	}
	parts, ok := m["Fn::GetAtt"].([]any)
	if !ok || len(parts) != 2 || parts[1] != "Arn" {
		return "", false
	}
	id, ok := parts[0].(string)
	return id, ok
}

func readFunction(id string, fn *serverless.Function, g *global.Function, raw rawTemplate) (*Function, error) {
	f := &Function{
		LogicalID:  id,
		Timeout:    3, // SAM's defaults
		MemorySize: 128,
		Env:        map[string]string{},
	}
	if g != nil {
		f.Runtime = deref(g.Runtime)
		f.Handler = deref(g.Handler)
		if g.Architectures != nil {
			f.Architectures = *g.Architectures
		}
		if g.Timeout != nil {
			f.Timeout = *g.Timeout
		}
		if g.MemorySize != nil {
			f.MemorySize = *g.MemorySize
		}
		if g.Environment != nil {
			maps.Copy(f.Env, g.Environment.Variables)
		}
	}
	if fn.Runtime != nil {
		f.Runtime = *fn.Runtime
	}
	if fn.Handler != nil {
		f.Handler = *fn.Handler
	}
	if fn.Architectures != nil {
		f.Architectures = fn.Architectures
	}
	if fn.Timeout != nil {
		f.Timeout = *fn.Timeout
	}
	if fn.MemorySize != nil {
		f.MemorySize = *fn.MemorySize
	}
	// SAM merges Globals and function variables, the function winning.
	if fn.Environment != nil {
		maps.Copy(f.Env, fn.Environment.Variables)
	}
	if fn.CodeUri != nil && fn.CodeUri.String != nil {
		f.CodeURI = *fn.CodeUri.String
	}
	if bm, ok := fn.AWSCloudFormationMetadata["BuildMethod"].(string); ok {
		f.BuildMethod = bm
	}
	if err := f.readPolicies(fn, raw); err != nil {
		return nil, err
	}
	for _, name := range slices.Sorted(maps.Keys(fn.Events)) {
		ev := fn.Events[name]
		switch ev.Type {
		case "HttpApi":
			if ev.Properties == nil || ev.Properties.HttpApiEvent == nil {
				return nil, fmt.Errorf("%w: %s event %s: cannot read its HttpApi properties", ErrTemplate, id, name)
			}
			p := ev.Properties.HttpApiEvent
			rt := Route{
				Method:   strings.ToUpper(deref(p.Method)),
				Path:     deref(p.Path),
				Function: id,
				API:      deref(p.ApiId),
				Event:    name,
			}
			if rt.Method == "" || rt.Path == "" {
				return nil, fmt.Errorf("%w: %s event %s: Method and Path are required locally", ErrTemplate, id, name)
			}
			if p.Auth != nil && p.Auth.Authorizer != nil {
				rt.Authorizer = *p.Auth.Authorizer
			}
			f.Routes = append(f.Routes, rt)
		case "Api":
			rt, err := readRestEvent(id, name, ev.Properties)
			if err != nil {
				return nil, err
			}
			f.RestRoutes = append(f.RestRoutes, rt)
		case "Schedule":
			if ev.Properties != nil && ev.Properties.ScheduleEvent != nil {
				f.Schedules = append(f.Schedules, ev.Properties.ScheduleEvent.Schedule)
			}
		}
	}
	return f, nil
}

func (f *Function) readPolicies(fn *serverless.Function, raw rawTemplate) error {
	var props struct {
		Policies json.RawMessage
	}
	// The typed resource below is what gets read; this only counts policies
	// that are not inline statements (managed names, SAM templates).
	if err := json.Unmarshal(raw.Resources[f.LogicalID].Properties, &props); err != nil {
		return fmt.Errorf("%w: %s Properties: %v", ErrTemplate, f.LogicalID, err)
	}
	if len(props.Policies) > 0 && props.Policies[0] == '[' {
		var items []any
		if err := json.Unmarshal(props.Policies, &items); err != nil {
			return fmt.Errorf("%w: %s Policies: %v", ErrTemplate, f.LogicalID, err)
		}
		for _, it := range items {
			if m, ok := it.(map[string]any); !ok || m["Statement"] == nil {
				f.OtherPolicies++
			}
		}
	} else if len(props.Policies) > 0 {
		f.OtherPolicies++ // a single managed policy name or document
	}
	if fn.Policies == nil {
		return nil
	}
	var docs []serverless.Function_IAMPolicyDocument
	if fn.Policies.IAMPolicyDocumentArray != nil {
		docs = *fn.Policies.IAMPolicyDocumentArray
	} else if fn.Policies.IAMPolicyDocument != nil {
		docs = []serverless.Function_IAMPolicyDocument{*fn.Policies.IAMPolicyDocument}
		f.OtherPolicies = 0
	}
	for _, d := range docs {
		for _, st := range d.Statement {
			m, ok := st.(map[string]any)
			if !ok {
				continue
			}
			f.Statements = append(f.Statements, Statement{
				Sid:       stringify(m["Sid"]),
				Effect:    stringify(m["Effect"]),
				Actions:   strs(m["Action"]),
				Resources: strs(m["Resource"]),
			})
		}
	}
	return nil
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func strs(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		out := make([]string, 0, len(v))
		for _, x := range v {
			out = append(out, stringify(x))
		}
		return out
	}
	return nil
}

// stringify renders a resolved value the way CloudFormation passes it to a
// string property: numbers without exponent, booleans as true/false.
func stringify(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// ---- intrinsics ------------------------------------------------------------

func (r Resolver) options() *intrinsics.ProcessorOptions {
	o := &intrinsics.ProcessorOptions{
		IntrinsicHandlerOverrides: map[string]intrinsics.IntrinsicHandler{
			"Ref":        r.ref,
			"Fn::GetAtt": r.getAtt,
			"Fn::Sub":    r.sub,
			"Fn::If":     r.fnIf,
		},
	}
	if len(r.Parameters) > 0 {
		o.ParameterOverrides = map[string]any{}
		for k, v := range r.Parameters {
			o.ParameterOverrides[k] = v
		}
	}
	return o
}

func (r Resolver) ref(_ string, input any, template any) any {
	name, ok := input.(string)
	if !ok {
		return nil
	}
	if v, ok := pseudoParam(name); ok {
		return v
	}
	if v, ok := r.Refs[name]; ok {
		return v
	}
	t, _ := template.(map[string]any)
	if params, ok := t["Parameters"].(map[string]any); ok {
		if p, ok := params[name].(map[string]any); ok {
			return stringify(p["Default"])
		}
	}
	if res, ok := t["Resources"].(map[string]any); ok {
		if v, ok := res[name]; ok {
			if m, _ := v.(map[string]any); m["Type"] == usagePlanType {
				return UsagePlanID(name)
			}
			return name
		}
	}
	return nil
}

func (r Resolver) getAtt(_ string, input any, _ any) any {
	parts, ok := input.([]any)
	if !ok || len(parts) != 2 {
		return nil
	}
	res, _ := parts[0].(string)
	attr := stringify(parts[1])
	if r.GetAtt == nil {
		return ""
	}
	return r.GetAtt(res, attr)
}

// fnIf resolves Fn::If by its condition, evaluated as CloudFormation would
// from the parameters (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference-conditions.html).
// goformation's own Fn::If finds a condition only once its EvaluateConditions
// option has replaced the Conditions section by booleans, and that option
// also replaces every map holding a Condition key (a conditional resource or
// output) by its condition's value; so conditions are evaluated here, and
// an Fn::If whose condition cannot be evaluated resolves to nothing.
func (r Resolver) fnIf(_ string, input any, template any) any {
	arr, ok := input.([]any)
	if !ok || len(arr) != 3 {
		return nil
	}
	name, _ := arr[0].(string)
	v, ok := r.condition(name, template, 0)
	switch {
	case !ok:
		return nil
	case v:
		return arr[1]
	}
	return arr[2]
}

// maxConditionDepth bounds conditions naming conditions (and cycles).
const maxConditionDepth = 16

// condition evaluates the template's condition name.
func (r Resolver) condition(name string, template any, depth int) (value, ok bool) {
	t, _ := template.(map[string]any)
	conds, _ := t["Conditions"].(map[string]any)
	expr, found := conds[name]
	if !found || depth > maxConditionDepth {
		return false, false
	}
	return r.evalCondition(expr, template, depth+1)
}

// evalCondition evaluates a condition expression: Fn::Equals over literals
// and Refs, Fn::Not, Fn::And, Fn::Or and Condition.
func (r Resolver) evalCondition(expr any, template any, depth int) (value, ok bool) {
	if b, isBool := expr.(bool); isBool {
		return b, true
	}
	m, _ := expr.(map[string]any)
	if len(m) != 1 {
		return false, false
	}
	for fn, arg := range m {
		list, _ := arg.([]any)
		switch fn {
		case "Condition":
			name, _ := arg.(string)
			return r.condition(name, template, depth)
		case "Fn::Equals":
			if len(list) != 2 {
				return false, false
			}
			a, okA := r.conditionValue(list[0], template)
			b, okB := r.conditionValue(list[1], template)
			return a == b, okA && okB
		case "Fn::Not":
			if len(list) != 1 {
				return false, false
			}
			v, ok := r.evalCondition(list[0], template, depth)
			return !v, ok
		case "Fn::And", "Fn::Or":
			and := fn == "Fn::And"
			for _, c := range list {
				v, ok := r.evalCondition(c, template, depth)
				if !ok {
					return false, false
				}
				if v != and {
					return v, true
				}
			}
			return and, len(list) > 0
		}
	}
	return false, false
}

// conditionValue is an Fn::Equals operand as a string: a literal or a Ref.
func (r Resolver) conditionValue(v any, template any) (string, bool) {
	switch v := v.(type) {
	case string, float64, bool:
		return stringify(v), true
	case map[string]any:
		if name, ok := v["Ref"].(string); ok && len(v) == 1 {
			res := r.ref("", name, template)
			return stringify(res), res != nil
		}
	}
	return "", false
}

var subVar = regexp.MustCompile(`\$\{([^}]*)\}`)

func (r Resolver) sub(_ string, input any, template any) any {
	var src string
	vars := map[string]any{}
	switch v := input.(type) {
	case string:
		src = v
	case []any:
		if len(v) != 2 {
			return nil
		}
		src, _ = v[0].(string)
		if m, ok := v[1].(map[string]any); ok {
			vars = m
		}
	default:
		return nil
	}
	return subVar.ReplaceAllStringFunc(src, func(m string) string {
		name := m[2 : len(m)-1]
		if lit, ok := strings.CutPrefix(name, "!"); ok {
			return "${" + lit + "}"
		}
		if v, ok := vars[name]; ok {
			return stringify(v)
		}
		if res, attr, ok := strings.Cut(name, "."); ok && !strings.HasPrefix(name, "AWS::") {
			return stringify(r.getAtt("", []any{res, attr}, template))
		}
		return stringify(r.ref("", name, template))
	})
}
