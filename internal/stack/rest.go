package stack

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/awslabs/goformation/v7/cloudformation/serverless"
	"github.com/awslabs/goformation/v7/intrinsics"
)

const restAPIType = "AWS::Serverless::Api"

// RestAPI is one AWS::Serverless::Api, a REST API, with the routes that
// name it (the Api events of the template's functions).
type RestAPI struct {
	LogicalID string
	// StageName is the one stage SAM deploys it to; every URL of the API
	// begins with it: https://{api-id}.execute-api.{region}.amazonaws.com/{stage}/
	// (https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-call-api.html).
	StageName string
	// APIKeySource is where API Gateway reads a request's API key for its
	// usage plans: HEADER (the X-API-Key header, API Gateway's default) or
	// AUTHORIZER (the usageIdentifierKey of the Lambda authorizer's answer)
	// (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-api-key-source.html).
	APIKeySource string
	// DefaultAuthorizer names the authorizer of routes that name none.
	DefaultAuthorizer string
	// APIKeyRequired is Auth.ApiKeyRequired: the default of its routes.
	APIKeyRequired bool
	Authorizers    map[string]*RestAuthorizer
	Routes         []RestRoute
	// StageVariables are its stage's Variables, which API Gateway passes in
	// every authorizer and integration event; nil when it has none.
	StageVariables map[string]string
}

// RestRoute is one Api event: a method on a resource of a REST API. Its
// Key is "METHOD /resource", as an HTTP API's route key reads.
type RestRoute struct {
	Route
	// APIKeyRequired: the method takes only requests with an API key of a
	// usage plan of its stage (the event's Auth.ApiKeyRequired, else the
	// API's).
	APIKeyRequired bool
	keyRequired    *bool // the event's own setting, until linked
}

// RestAuthorizer is a Lambda authorizer of a REST API
// (https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-property-api-lambdarequestauthorizer.html,
// https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-property-api-lambdatokenauthorizer.html).
type RestAuthorizer struct {
	Name     string
	Function string // logical id of the authorizer function
	// PayloadType is FunctionPayloadType: TOKEN (SAM's default) or REQUEST.
	PayloadType string
	// IdentityHeaders are a REQUEST authorizer's Identity.Headers, or the
	// one header a TOKEN authorizer reads its token from (Identity.Header,
	// by default Authorization).
	IdentityHeaders        []string
	IdentityQueryStrings   []string
	IdentityStageVariables []string
	IdentityContext        []string // e.g. httpMethod for $context.httpMethod
	// ValidationExpression is a TOKEN authorizer's regular expression; a
	// token that does not match is refused without calling the function.
	ValidationExpression string
	// ReauthorizeEvery is the result cache's TTL in seconds (SAM's default
	// 300; 0 turns the cache off).
	ReauthorizeEvery int
}

// SAM's defaults for an Api: the implicit API of Api events without a
// RestApiId and its stage
// (https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-property-function-api.html,
// https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-specification-generated-resources-api.html),
// and an authorizer's cache TTL and TOKEN header
// (https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-property-api-lambdarequestauthorizationidentity.html,
// https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-property-api-lambdatokenauthorizationidentity.html).
const (
	implicitRestAPI         = "ServerlessRestApi"
	implicitRestStage       = "Prod"
	defaultReauthorizeEvery = 300
	defaultTokenHeader      = "Authorization"
)

// resolve processes the template's intrinsics as Load's parse does and
// gives each resource's resolved Properties. The REST API and usage plans
// are read from them rather than through goformation, whose typed
// resources lack properties they hold (ApiKeySourceType, Auth.ApiKeyRequired)
// and refuse what they do not know.
func (r Resolver) resolve(js []byte) (map[string]map[string]any, error) {
	out, err := intrinsics.ProcessJSON(js, r.options())
	if err != nil {
		return nil, err
	}
	var t struct {
		Resources map[string]struct {
			Properties map[string]any
		}
	}
	if err := json.Unmarshal(out, &t); err != nil {
		return nil, err
	}
	props := make(map[string]map[string]any, len(t.Resources))
	for id, res := range t.Resources {
		props[id] = res.Properties
	}
	return props, nil
}

// readRest reads the REST APIs and usage plans and links the Api events
// of the functions to their APIs.
func (s *Stack) readRest(raw rawTemplate, resolved map[string]map[string]any) error {
	for _, id := range slices.Sorted(maps.Keys(raw.Resources)) {
		res := raw.Resources[id]
		switch res.Type {
		case restAPIType:
			api, err := readRestAPI(id, res.Properties, resolved[id])
			if err != nil {
				return err
			}
			s.RestAPIs[id] = api
		case usagePlanType:
			plan, err := readUsagePlan(id, res.Properties, resolved[id])
			if err != nil {
				return err
			}
			s.UsagePlans[id] = plan
		}
	}
	if err := s.linkRestRoutes(); err != nil {
		return err
	}
	return s.linkUsagePlans()
}

func readRestAPI(id string, rawProps json.RawMessage, props map[string]any) (*RestAPI, error) {
	var p struct {
		StageName        any
		ApiKeySourceType any
		Variables        map[string]any
		DefinitionBody   any
		DefinitionUri    any
		Auth             *struct {
			DefaultAuthorizer any
			ApiKeyRequired    any
			Authorizers       map[string]struct {
				FunctionPayloadType any
				UserPoolArn         any
				Identity            struct {
					Header               any
					Headers              []any
					QueryStrings         []any
					StageVariables       []any
					Context              []any
					ValidationExpression any
					ReauthorizeEvery     any
				}
			}
		}
	}
	if err := remarshal(props, &p); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrTemplate, id, err)
	}
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s: %s", ErrTemplate, id, fmt.Sprintf(format, args...))
	}
	if p.DefinitionBody != nil || p.DefinitionUri != nil {
		return nil, bad("DefinitionBody and DefinitionUri are not served locally: declare routes as Api events")
	}
	a := &RestAPI{LogicalID: id, StageName: stringify(p.StageName), APIKeySource: stringify(p.ApiKeySourceType), Authorizers: map[string]*RestAuthorizer{}}
	if a.StageName == "" {
		return nil, bad("StageName is required")
	}
	switch a.APIKeySource {
	case "":
		a.APIKeySource = "HEADER"
	case "HEADER", "AUTHORIZER":
	default:
		return nil, bad("ApiKeySourceType %q is neither HEADER nor AUTHORIZER", a.APIKeySource)
	}
	if len(p.Variables) > 0 {
		a.StageVariables = map[string]string{}
		for k, v := range p.Variables {
			a.StageVariables[k] = stringify(v)
		}
	}
	if p.Auth == nil {
		return a, nil
	}
	a.DefaultAuthorizer = stringify(p.Auth.DefaultAuthorizer)
	if a.DefaultAuthorizer == "AWS_IAM" {
		return nil, bad("only Lambda authorizers are served locally, not AWS_IAM")
	}
	var err error
	if a.APIKeyRequired, err = boolean(p.Auth.ApiKeyRequired); err != nil {
		return nil, bad("Auth.ApiKeyRequired: %v", err)
	}
	var rawP struct {
		Auth struct {
			Authorizers map[string]struct{ FunctionArn any }
		}
	}
	if err := json.Unmarshal(rawProps, &rawP); err != nil {
		return nil, bad("Auth: %v", err)
	}
	for name, ra := range p.Auth.Authorizers {
		if ra.UserPoolArn != nil {
			return nil, bad("authorizer %s: only Lambda authorizers are served locally, not Cognito", name)
		}
		fn, ok := getAttFunction(rawP.Auth.Authorizers[name].FunctionArn)
		if !ok {
			return nil, bad("authorizer %s: FunctionArn must be !GetAtt <Function>.Arn", name)
		}
		az := &RestAuthorizer{Name: name, Function: fn, PayloadType: stringify(ra.FunctionPayloadType), ReauthorizeEvery: defaultReauthorizeEvery}
		if ra.Identity.ReauthorizeEvery != nil {
			if az.ReauthorizeEvery, err = integer(ra.Identity.ReauthorizeEvery); err != nil {
				return nil, bad("authorizer %s: ReauthorizeEvery: %v", name, err)
			}
		}
		switch az.PayloadType {
		case "", "TOKEN":
			az.PayloadType = "TOKEN"
			header := stringify(ra.Identity.Header)
			if header == "" {
				header = defaultTokenHeader
			}
			az.IdentityHeaders = []string{header}
			az.ValidationExpression = stringify(ra.Identity.ValidationExpression)
		case "REQUEST":
			az.IdentityHeaders = texts(ra.Identity.Headers)
			az.IdentityQueryStrings = texts(ra.Identity.QueryStrings)
			az.IdentityStageVariables = texts(ra.Identity.StageVariables)
			az.IdentityContext = texts(ra.Identity.Context)
			// SAM refuses a cached REQUEST authorizer without identity
			// sources: they are its cache key.
			if az.ReauthorizeEvery > 0 && len(az.IdentityHeaders)+len(az.IdentityQueryStrings)+len(az.IdentityStageVariables)+len(az.IdentityContext) == 0 {
				return nil, bad("authorizer %s: a cached REQUEST authorizer needs Identity Headers, QueryStrings, StageVariables or Context", name)
			}
		default:
			return nil, bad("authorizer %s: FunctionPayloadType %q is neither TOKEN nor REQUEST", name, az.PayloadType)
		}
		a.Authorizers[name] = az
	}
	return a, nil
}

// readRestEvent reads one Api event of function fn.
func readRestEvent(fn, event string, props *serverless.Function_Properties) (RestRoute, error) {
	if props == nil || props.ApiEvent == nil {
		return RestRoute{}, fmt.Errorf("%w: %s event %s: cannot read its Api properties", ErrTemplate, fn, event)
	}
	p := props.ApiEvent
	rt := RestRoute{Route: Route{
		Method:   strings.ToUpper(p.Method), // SAM takes "any" for ANY
		Path:     p.Path,
		Function: fn,
		API:      deref(p.RestApiId),
		Event:    event,
	}}
	if rt.Method == "" || rt.Path == "" {
		return RestRoute{}, fmt.Errorf("%w: %s event %s: Method and Path are required", ErrTemplate, fn, event)
	}
	if p.Auth != nil {
		rt.Authorizer = deref(p.Auth.Authorizer)
		rt.keyRequired = p.Auth.ApiKeyRequired
	}
	return rt, nil
}

// linkRestRoutes puts each Api event on its REST API, with the API's
// defaults for what the event does not say.
func (s *Stack) linkRestRoutes() error {
	for _, id := range slices.Sorted(maps.Keys(s.Functions)) {
		f := s.Functions[id]
		for i := range f.RestRoutes {
			rt := &f.RestRoutes[i]
			if rt.API == "" {
				rt.API = implicitRestAPI
				if s.RestAPIs[rt.API] == nil {
					s.RestAPIs[rt.API] = &RestAPI{LogicalID: rt.API, StageName: implicitRestStage, APIKeySource: "HEADER", Authorizers: map[string]*RestAuthorizer{}}
				}
			}
			api, ok := s.RestAPIs[rt.API]
			if !ok {
				return fmt.Errorf("%w: %s event %s names unknown Api %q", ErrTemplate, id, rt.Event, rt.API)
			}
			switch rt.Authorizer {
			case "":
				rt.Authorizer = api.DefaultAuthorizer
			case "NONE":
				rt.Authorizer = ""
			}
			if rt.Authorizer != "" && api.Authorizers[rt.Authorizer] == nil {
				return fmt.Errorf("%w: route %s of %s uses unknown authorizer %q", ErrTemplate, rt.Key(), rt.API, rt.Authorizer)
			}
			rt.APIKeyRequired = api.APIKeyRequired
			if rt.keyRequired != nil {
				rt.APIKeyRequired = *rt.keyRequired
			}
			rt.keyRequired = nil
			api.Routes = append(api.Routes, *rt)
		}
	}
	for _, id := range slices.Sorted(maps.Keys(s.RestAPIs)) {
		api := s.RestAPIs[id]
		seen := map[string]string{}
		for _, rt := range api.Routes {
			if other, dup := seen[rt.Key()]; dup {
				return fmt.Errorf("%w: route %s of %s is on both %s and %s", ErrTemplate, rt.Key(), id, other, rt.Function)
			}
			seen[rt.Key()] = rt.Function
		}
		for _, name := range slices.Sorted(maps.Keys(api.Authorizers)) {
			if _, ok := s.Functions[api.Authorizers[name].Function]; !ok {
				return fmt.Errorf("%w: authorizer %s of %s: FunctionArn must be !GetAtt <Function>.Arn of a function in this template", ErrTemplate, name, id)
			}
		}
	}
	return nil
}

// texts is a resolved list of strings; nil when empty.
func texts(v []any) []string {
	if len(v) == 0 {
		return nil
	}
	return strs(v)
}

// remarshal decodes resolved properties into a struct.
func remarshal(props map[string]any, into any) error {
	b, err := json.Marshal(props)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, into)
}
