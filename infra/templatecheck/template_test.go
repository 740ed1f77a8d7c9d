package templatecheck_test

import (
	"bytes"
	"debug/elf"
	"encoding/json"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"

	keymintapi "github.com/keymint/keymint/shared/api"
	"github.com/keymint/keymint/shared/console"
	"github.com/keymint/keymint/shared/registry"

	"github.com/aws/aws-lambda-go/events"
	"github.com/keymint/keymint/internal/localrt"
	"github.com/keymint/keymint/internal/stack"
	"github.com/keymint/keymint/internal/tabledef"
	"github.com/keymint/keymint/internal/testkit"
	"github.com/keymint/keymint/shared/store"
)

const (
	tableArn  = "arn:aws:dynamodb:us-east-1:123456789012:table/keymint-tokens"
	secretArn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:keymint-keyring"
	busArn    = "arn:aws:events:us-east-1:123456789012:event-bus/default"
	// API Gateway's control plane: owners' API keys and usage plan keys.
	apiKeysArn  = "arn:aws:apigateway:us-east-1::/apikeys"
	planKeysArn = "arn:aws:apigateway:us-east-1::/usageplans/*/keys"
	planKeyArn  = "arn:aws:apigateway:us-east-1::/usageplans/*/keys/*"
)

// functionIDs are every function of the template, the example API's
// included (load deploys it).
var functionIDs = []string{"ConsoleFunction", "DescribeFunction", "ExampleFunction", "IssueFunction", "RevokeFunction", "SweeperFunction", "ValidateFunction"}

func root(t *testing.T) string {
	t.Helper()
	r, err := testkit.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// load resolves ARNs to deploy-like values so policy resources can be
// read, with every optional part that holds functions or APIs deployed
// (DeployExampleApi=true), so each is checked.
func load(t *testing.T) *stack.Stack {
	t.Helper()
	st, err := stack.Load(filepath.Join(root(t), "template.yaml"), stack.Resolver{
		Parameters: map[string]string{"DeployExampleApi": "true"},
		Refs:       map[string]string{"TokenTable": "keymint-tokens", "KeyringSecret": secretArn},
		GetAtt: func(res, attr string) string {
			if res == "TokenTable" && attr == "Arn" {
				return tableArn
			}
			return "arn:aws:lambda:us-east-1:123456789012:function:" + res
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func TestFunctionsAreLambdaGoOnGraviton(t *testing.T) {
	st := load(t)
	if got := slices.Sorted(maps.Keys(st.Functions)); !slices.Equal(got, functionIDs) {
		t.Fatalf("functions %v, want %v", got, functionIDs)
	}
	for _, id := range functionIDs {
		f := st.Functions[id]
		checks := []struct{ what, got, want string }{
			{"Metadata.BuildMethod", f.BuildMethod, "makefile"},
			{"CodeUri", f.CodeURI, "."},
			{"Runtime", f.Runtime, "provided.al2023"},
			{"Handler", f.Handler, "bootstrap"},
			{"Architectures", strings.Join(f.Architectures, ","), "arm64"},
		}
		for _, c := range checks {
			if c.got != c.want {
				t.Errorf("%s %s = %q, want %q", id, c.what, c.got, c.want)
			}
		}
	}
}

// TestSamBuildsInSource: `sam build` copies a function's CodeUri (here the
// whole repository) to a scratch folder before running its Makefile target,
// unless it builds in source. That copy would carry .local/ — the local
// keyring, the admin token, DynamoDB Local's data — into the build folders,
// and its churn would defeat the build cache. SAM CLI builds in source for
// the Makefile workflow when asked (its SUPPORTED_BUILD_IN_SOURCE_WORKFLOWS;
// aws-lambda-builders' CustomMakeWorkflow copies only when the build
// directory is not the source directory), and samconfig.toml asks for every
// `sam build`. Every function must use that workflow for it to hold.
func TestSamBuildsInSource(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(root(t), "samconfig.toml"))
	if err != nil {
		t.Fatal(err)
	}
	section, found := "", false
	for _, line := range strings.Split(string(raw), "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "[") {
			section = line
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if ok && section == "[default.build.parameters]" && strings.TrimSpace(k) == "build_in_source" {
			found = strings.TrimSpace(v) == "true"
		}
	}
	if !found {
		t.Error("samconfig.toml [default.build.parameters] lacks build_in_source = true: sam build would copy .local/ into every function's build folder")
	}
	for id, f := range load(t).Functions {
		if f.BuildMethod != "makefile" {
			t.Errorf("%s builds with %q, which does not build in source", id, f.BuildMethod)
		}
	}
}

// TestFunctionsBuild runs the targets `sam build` runs and checks each
// writes a static, stripped linux/arm64 bootstrap.
func TestFunctionsBuild(t *testing.T) {
	if _, err := exec.LookPath("make"); err != nil {
		t.Fatal("make is required to check the sam build targets")
	}
	for _, id := range functionIDs {
		t.Run(id, func(t *testing.T) {
			out := t.TempDir()
			cmd := exec.Command("make", "-s", "-C", root(t), "build-"+id, "ARTIFACTS_DIR="+out)
			if b, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("make build-%s: %v\n%s", id, err, b)
			}
			// The package is what the target writes: one bootstrap, nothing
			// from the tree (.local holds the keyring and admin token).
			entries, err := os.ReadDir(out)
			if err != nil || len(entries) != 1 || entries[0].Name() != "bootstrap" {
				t.Fatalf("artifacts %v (%v), want only bootstrap", entries, err)
			}
			f, err := elf.Open(filepath.Join(out, "bootstrap"))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if f.Machine != elf.EM_AARCH64 || f.OSABI != elf.ELFOSABI_NONE && f.OSABI != elf.ELFOSABI_LINUX {
				t.Errorf("bootstrap is %v/%v, want linux arm64", f.Machine, f.OSABI)
			}
			for _, p := range f.Progs {
				if p.Type == elf.PT_INTERP {
					t.Error("bootstrap is dynamically linked (CGO_ENABLED=0 expected)")
				}
			}
			if f.Section(".symtab") != nil {
				t.Error("bootstrap keeps its symbol table (-ldflags='-s -w' expected)")
			}
		})
	}
}

// TestRoutesAreAuthorized: every route goes through KeymintAuthorizer but
// the API's own contract, which anyone may read, and the console's pages,
// which must load before anyone has signed in. (Which function serves
// each route is held to the OpenAPI document and the handlers by
// shared/api's TestOpenAPIRoutesAgree.)
func TestRoutesAreAuthorized(t *testing.T) {
	api := load(t).APIs["KeymintApi"]
	if api == nil {
		t.Fatal("no KeymintApi")
	}
	public := 0
	for _, r := range api.Routes {
		switch {
		case r.Key() == "GET /openapi.json":
			public++
			if r.Authorizer != "" || r.Function != "DescribeFunction" {
				t.Errorf("%s: authorizer %q, function %s; want none, DescribeFunction", r.Key(), r.Authorizer, r.Function)
			}
		case slices.Contains(console.Routes(), r.Key()):
			public++
			if r.Authorizer != "" || r.Function != "ConsoleFunction" {
				t.Errorf("%s: authorizer %q, function %s; want none, ConsoleFunction", r.Key(), r.Authorizer, r.Function)
			}
		case r.Authorizer != "KeymintAuthorizer":
			t.Errorf("%s is not behind KeymintAuthorizer (authorizer %q)", r.Key(), r.Authorizer)
		}
	}
	// The management API's table and the console's pages, and no other.
	want := len(keymintapi.Table()) + len(console.Routes())
	if public != 1+len(console.Routes()) || len(api.Routes) != want {
		t.Errorf("%d routes, %d public; want %d, and only GET /openapi.json and the console's public", len(api.Routes), public, want)
	}
}

func TestAuthorizer(t *testing.T) {
	api := load(t).APIs["KeymintApi"]
	az := api.Authorizers["KeymintAuthorizer"]
	if az == nil || api.DefaultAuthorizer != "KeymintAuthorizer" {
		t.Fatalf("KeymintApi authorizers %v, default %q", api.Authorizers, api.DefaultAuthorizer)
	}
	if az.Function != "ValidateFunction" || az.PayloadFormatVersion != "2.0" || !az.SimpleResponses {
		t.Errorf("authorizer = %+v", az)
	}
	if !slices.Equal(az.IdentityHeaders, []string{"Authorization"}) {
		t.Errorf("identity headers %v", az.IdentityHeaders)
	}
	// With caching on, a result cached for one route must not open another,
	// nor one cached for one address serve another (allowedCidrs, blocks).
	for _, c := range []string{"routeKey", "identity.sourceIp"} {
		if !slices.Contains(az.IdentityContext, c) {
			t.Errorf("identity context %v lacks %s", az.IdentityContext, c)
		}
	}
	if az.ReauthorizeEvery != 0 {
		t.Errorf("ReauthorizeEvery defaults to %d, want 0 (no caching)", az.ReauthorizeEvery)
	}
	// Each allowed AuthorizerCacheSeconds reaches ReauthorizeEvery through
	// the template's Fn::If over literals.
	for _, secs := range []int{0, 60, 300, 900, 3600} {
		st := loadWith(t, map[string]string{"AuthorizerCacheSeconds": strconv.Itoa(secs)})
		if got := st.APIs["KeymintApi"].Authorizers["KeymintAuthorizer"].ReauthorizeEvery; got != secs {
			t.Errorf("AuthorizerCacheSeconds=%d: ReauthorizeEvery %d", secs, got)
		}
	}
}

func TestTableMatchesCode(t *testing.T) {
	def, err := tabledef.FromTemplate(filepath.Join(root(t), "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if def.TTLAttribute != store.TTLAttribute {
		t.Errorf("template TTL attribute %q, store.TTLAttribute %q", def.TTLAttribute, store.TTLAttribute)
	}
}

// TestLeastPrivilege checks the shape of every policy: explicit Allow
// statements only, no wildcards, each function reaching only the resources
// its job needs; ValidateFunction, the hot path, exactly GetItem, UpdateItem
// and the keyring.
// The exact action set of the other functions is held to what their code
// calls by infra/iamcheck.
func TestLeastPrivilege(t *testing.T) {
	gsi1, gsi2, gsi3 := tableArn+"/index/GSI1", tableArn+"/index/GSI2", tableArn+"/index/GSI3"
	tests := []struct {
		id        string
		resources []string            // every resource the function may name
		exact     map[string][]string // resource -> actions, where fixed here
	}{
		{"ValidateFunction", []string{tableArn, secretArn}, map[string][]string{
			tableArn:  {"dynamodb:GetItem", "dynamodb:UpdateItem"},
			secretArn: {"secretsmanager:GetSecretValue"},
		}},
		{"IssueFunction", []string{tableArn, gsi1, secretArn, apiKeysArn, planKeysArn, planKeyArn}, map[string][]string{
			gsi1:       {"dynamodb:Query"},
			secretArn:  {"secretsmanager:GetSecretValue"},
			apiKeysArn: {"apigateway:GET", "apigateway:POST"}, planKeysArn: {"apigateway:POST"}, planKeyArn: {"apigateway:GET", "apigateway:DELETE"},
		}},
		{"RevokeFunction", []string{tableArn, gsi1, gsi3, apiKeysArn, planKeysArn, planKeyArn}, map[string][]string{gsi1: {"dynamodb:Query"}, gsi3: {"dynamodb:Query"},
			apiKeysArn: {"apigateway:GET", "apigateway:POST"}, planKeysArn: {"apigateway:POST"}, planKeyArn: {"apigateway:GET", "apigateway:DELETE"}}},
		{"DescribeFunction", []string{tableArn, gsi1}, map[string][]string{gsi1: {"dynamodb:Query"}}},
		{"SweeperFunction", []string{tableArn, gsi2, busArn}, map[string][]string{
			gsi2:   {"dynamodb:Query"},
			busArn: {"events:PutEvents"},
		}},
	}
	st := load(t)
	for _, tc := range tests {
		t.Run(tc.id, func(t *testing.T) {
			f := st.Functions[tc.id]
			if f.OtherPolicies != 0 {
				t.Errorf("%d managed policies or SAM policy templates; write explicit statements", f.OtherPolicies)
			}
			if len(f.Statements) == 0 {
				t.Fatal("no policy statements")
			}
			got := map[string][]string{}
			for _, s := range f.Statements {
				if s.Effect != "Allow" {
					t.Errorf("statement %s has Effect %q", s.Sid, s.Effect)
				}
				for _, r := range s.Resources {
					if !slices.Contains(tc.resources, r) {
						t.Errorf("statement %s grants on %q, outside %v", s.Sid, r, tc.resources)
					}
					for _, a := range s.Actions {
						if strings.Contains(a, "*") {
							t.Errorf("statement %s has wildcard action %q", s.Sid, a)
						}
						if !slices.Contains(got[r], a) {
							got[r] = append(got[r], a)
						}
					}
				}
			}
			for r, actions := range tc.exact {
				g := slices.Sorted(slices.Values(got[r]))
				w := slices.Sorted(slices.Values(actions))
				if !slices.Equal(g, w) {
					t.Errorf("on %s: actions %v, want %v", r, g, w)
				}
			}
		})
	}
}

// configKeys are the variables shared/config reads.
func configKeys(t *testing.T) map[string]bool {
	t.Helper()
	src, err := os.ReadFile(filepath.Join(root(t), "shared", "config", "config.go"))
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]bool{}
	for _, m := range regexp.MustCompile(`r\.\w+\("([A-Z0-9_]+)"`).FindAllSubmatch(src, -1) {
		keys[string(m[1])] = true
	}
	if len(keys) < 10 {
		t.Fatalf("read only %d keys from shared/config/config.go", len(keys))
	}
	return keys
}

func TestEnvironment(t *testing.T) {
	st := load(t)
	known := configKeys(t)
	for _, id := range functionIDs {
		env := st.Functions[id].Env
		for k := range env {
			if !known[k] {
				t.Errorf("%s sets %s, which shared/config does not read", id, k)
			}
		}
		if env["TABLE_NAME"] != "keymint-tokens" {
			t.Errorf("%s TABLE_NAME = %q, want !Ref TokenTable", id, env["TABLE_NAME"])
		}
		wantSecret := id == "IssueFunction" || id == "ValidateFunction"
		if got, ok := env["KEYRING_SECRET_ARN"]; ok != wantSecret || (ok && got != secretArn) {
			t.Errorf("%s KEYRING_SECRET_ARN = %q (set %v), want set only where tokens are hashed", id, got, ok)
		}
		if env["DYNAMODB_ENDPOINT"] != "" || env["KEYMINT_ALLOW_CLOCK_OVERRIDE"] != "" {
			t.Errorf("%s: local-only settings must be empty on AWS", id)
		}
	}
	if got := st.Functions["SweeperFunction"].Env["EVENT_BUS_NAME"]; got != "default" {
		t.Errorf("SweeperFunction EVENT_BUS_NAME = %q, want default", got)
	}
	if got := st.Functions["SweeperFunction"].Schedules; !slices.Equal(got, []string{"rate(1 hour)"}) {
		t.Errorf("SweeperFunction schedules %v, want [rate(1 hour)]", got)
	}
}

func TestOutputs(t *testing.T) {
	st := load(t)
	for _, name := range []string{"ApiUrl", "TokenTableName", "ValidateFunctionArn", "KeyringSecretArn"} {
		if _, ok := st.Template.Outputs[name]; !ok {
			t.Errorf("output %s missing", name)
		}
	}
	if o := st.Template.Outputs["ValidateFunctionArn"]; o.Export == nil {
		t.Error("ValidateFunctionArn is not exported for other stacks' authorizers")
	}
}

// TestEnvLocalJSON: SAM only applies --env-vars to variables the template
// declares, so every variable there must exist on its function.
func TestEnvLocalJSON(t *testing.T) {
	overrides, err := localrt.ReadEnvVars(filepath.Join(root(t), "infra", "env.local.json"))
	if err != nil {
		t.Fatal(err)
	}
	st := load(t)
	for scope, vars := range overrides {
		targets := []string{scope}
		if scope == "Parameters" {
			targets = functionIDs
		} else if st.Functions[scope] == nil {
			t.Errorf("env.local.json names unknown function %s", scope)
			continue
		}
		for k := range vars {
			declared := false
			for _, id := range targets {
				_, ok := st.Functions[id].Env[k]
				declared = declared || ok
			}
			if !declared {
				t.Errorf("env.local.json %s.%s is not declared in the template, so sam local would ignore it", scope, k)
			}
		}
	}
}

// TestSampleEvents: one sample HTTP event per route of either API, named
// <function>-<method>-<path>.json ("index" for /), whose routeKey is that
// route.
func TestSampleEvents(t *testing.T) {
	st := load(t)
	dir := filepath.Join(root(t), "events")
	for _, r := range slices.Concat(st.APIs["KeymintApi"].Routes, st.APIs["ExampleApi"].Routes) {
		fn := strings.ToLower(strings.TrimSuffix(r.Function, "Function"))
		path := strings.ReplaceAll(strings.Trim(strings.NewReplacer("{", "", "}", "", "+", "").Replace(r.Path), "/"), "/", "-")
		if path == "" {
			path = "index"
		}
		slug := strings.ToLower(r.Method) + "-" + path
		name := fn + "-" + slug + ".json"
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Errorf("route %s: %v", r.Key(), err)
			continue
		}
		var ev events.APIGatewayV2HTTPRequest
		if err := json.Unmarshal(b, &ev); err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if ev.RouteKey != r.Key() || ev.RequestContext.RouteKey != r.Key() || ev.RequestContext.HTTP.Method != r.Method || ev.Version != "2.0" {
			t.Errorf("%s: routeKey %q/%q method %q", name, ev.RouteKey, ev.RequestContext.RouteKey, ev.RequestContext.HTTP.Method)
		}
	}
	for _, name := range []string{
		"validate-rest-token.json", "validate-rest-request.json", "validate-http-v2.json", "validate-direct.json",
		"issue-direct.json", "sweeper-scheduled.json", "sweeper-direct.json",
		"revoke-direct.json", "describe-key-usage.json",
	} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Error(err)
			continue
		}
		if !json.Valid(b) {
			t.Errorf("%s is not JSON", name)
		}
	}
}

// TestFunctionsLinkOnlyWhatTheyRun: a Lambda bootstrap carries keymint's
// shared packages and the AWS SDK, never the tooling (template parsing,
// schema validation, test kits, the local stack).
func TestFunctionsLinkOnlyWhatTheyRun(t *testing.T) {
	t.Parallel()
	cmd := exec.Command("go", "list", "-deps", "./functions/...")
	cmd.Dir = root(t)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	deps := strings.Fields(string(out))
	if !slices.Contains(deps, "github.com/keymint/keymint/shared/app") {
		t.Fatalf("go list found no shared/app among %d packages; the check would prove nothing", len(deps))
	}
	for _, d := range deps {
		for _, banned := range []string{"github.com/keymint/keymint/infra/", "github.com/keymint/keymint/internal/", "github.com/awslabs/goformation", "github.com/pb33f/", "gopkg.in/yaml", "honnef.co/", "golang.org/x/tools"} {
			if strings.HasPrefix(d, banned) {
				t.Errorf("functions link %s", d)
			}
		}
	}
}

// TestEachMainBuildsItsFunction: functions/<name>/main.go asks the registry
// for the function the Makefile builds it as (build-<LogicalId> builds
// ./functions/<name>): a keymint function with app.Build and the
// registry's constructor, a standalone one (registry.Standalone: the
// example backend) with lambda.Start and the registry's handler. The
// registry holds exactly the template's functions, and `make build`
// (FUNCTIONS) builds each.
func TestEachMainBuildsItsFunction(t *testing.T) {
	t.Parallel()
	if got := registry.FunctionIDs(); !slices.Equal(got, functionIDs) {
		t.Fatalf("registry %v, template %v", got, functionIDs)
	}
	makefile, err := os.ReadFile(filepath.Join(root(t), "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	target := regexp.MustCompile(`(?m)^build-(\w+):\n\t\$\(LAMBDA_BUILD\) -o \$\(ARTIFACTS_DIR\)/bootstrap \./functions/(\w+)$`)
	found := target.FindAllStringSubmatch(string(makefile), -1)
	if len(found) != len(functionIDs) {
		t.Fatalf("%d build targets in the Makefile, want %d", len(found), len(functionIDs))
	}
	list := regexp.MustCompile(`(?m)^FUNCTIONS := (.*)$`).FindSubmatch(makefile)
	if list == nil {
		t.Fatal("the Makefile has no FUNCTIONS list")
	}
	var dirs []string
	for _, m := range found {
		id, dir := m[1], m[2]
		dirs = append(dirs, dir)
		src, err := os.ReadFile(filepath.Join(root(t), "functions", dir, "main.go"))
		if err != nil {
			t.Fatal(err)
		}
		var named any
		// A constructor may begin work from the environment before the App
		// is built (validatefn.Early(os.Getenv) registers validate's
		// extension beside app.New); it is held to the registry's
		// constructor of the same package by TestEarlyBuildsTheRegistrysFunction
		// in its own package, and here by name.
		call := regexp.MustCompile(`app\.Build\(context\.Background\(\), "` + id + `", (\w+\.\w+)(\(os\.Getenv\))?, os\.Getenv\)`).FindSubmatch(src)
		if fn, ok := registry.Functions()[id]; ok {
			named = fn
		} else if h, ok := registry.Standalone()[id]; ok {
			// app.Typed keeps the handler func itself as its value.
			named = h
			call = regexp.MustCompile(`lambda\.Start\((\w+\.\w+)\)`).FindSubmatch(src)
			if bytes.Contains(src, []byte("app.Build")) {
				t.Errorf("functions/%s/main.go builds an App; %s needs none", dir, id)
			}
		}
		if call == nil {
			t.Errorf("functions/%s/main.go does not build %s as the registry does", dir, id)
			continue
		}
		// The constructor or handler main names is the registry's for that id.
		fn := runtime.FuncForPC(reflect.ValueOf(named).Pointer()).Name()
		if len(call) > 2 && len(call[2]) > 0 {
			// pkg.Early(os.Getenv): the registry's constructor must be
			// pkg.Lambda.
			pkg, _, _ := strings.Cut(string(call[1]), ".")
			call[1] = []byte(pkg + ".Lambda")
		}
		if !strings.HasSuffix(fn, "/"+string(call[1])) {
			t.Errorf("functions/%s/main.go builds %s with %s; the registry has %s", dir, id, call[1], fn)
		}
	}
	if got, want := slices.Sorted(slices.Values(strings.Fields(string(list[1])))), slices.Sorted(slices.Values(dirs)); !slices.Equal(got, want) {
		t.Errorf("make build's FUNCTIONS %v, the sam build targets build %v", got, want)
	}
}

// TestFunctionsLinkOnlyTheirOwnPackages: a bootstrap imports, and so
// initialises at every cold start, only the packages its function runs;
// validate carries none of the management or sweeper code.
func TestFunctionsLinkOnlyTheirOwnPackages(t *testing.T) {
	t.Parallel()
	const mod = "github.com/keymint/keymint/"
	// Only the functions that hash or verify a token secret read the
	// pepper from Secrets Manager (shared/app/pepper); only validate
	// verifies ID tokens (shared/signin/idtoken, go-oidc). The console
	// reads its provider's discovery document with go-oidc, but links no
	// ID-token verification.
	const (
		pepper  = mod + "shared/keyring/awssecret"
		secrets = "github.com/aws/aws-sdk-go-v2/service/secretsmanager"
		idtoken = mod + "shared/signin/idtoken"
		goOIDC  = "github.com/coreos/go-oidc/v3/oidc"
	)
	foreign := map[string][]string{
		"validate": {mod + "shared/manage", mod + "shared/api", mod + "shared/sweep", mod + "shared/registry", "github.com/aws/aws-sdk-go-v2/service/eventbridge"},
		"issue":    {mod + "shared/validate", mod + "shared/sweep", mod + "shared/registry", "github.com/aws/aws-sdk-go-v2/service/eventbridge", idtoken, goOIDC},
		"revoke":   {mod + "shared/validate", mod + "shared/sweep", mod + "shared/registry", pepper, secrets, idtoken, goOIDC},
		"describe": {mod + "shared/validate", mod + "shared/sweep", mod + "shared/registry", pepper, secrets, idtoken, goOIDC},
		"sweeper":  {mod + "shared/validate", mod + "shared/api", mod + "shared/manage", mod + "shared/registry", pepper, secrets, idtoken, goOIDC},
		// The console reads the grace bound from lifecycle, not manage.
		"console": {mod + "shared/manage", mod + "shared/api", mod + "shared/validate", mod + "shared/sweep", mod + "shared/registry", pepper, secrets, idtoken},
		// The example backend is written as a customer's would be: it
		// needs none of keymint, and no AWS SDK (it calls nothing).
		"example": {mod + "shared/app", mod + "shared/store", mod + "shared/keyring", mod + "shared/manage", mod + "shared/validate",
			mod + "shared/api", mod + "shared/config", mod + "shared/policy", mod + "shared/token", mod + "shared/registry",
			"github.com/aws/aws-sdk-go-v2/aws"},
	}
	// What a function must link: without it, it could not do its work on
	// AWS (and the bans above could pass on a function that lost it).
	needs := map[string][]string{
		"validate": {pepper, idtoken},
		"issue":    {pepper},
	}
	for dir, banned := range foreign {
		cmd := exec.Command("go", "list", "-deps", "./functions/"+dir)
		cmd.Dir = root(t)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("go list: %v\n%s", err, out)
		}
		deps := strings.Fields(string(out))
		// Proof that the list is the function's: the package it runs.
		proof := mod + "shared/app"
		if dir == "example" {
			proof = mod + "shared/example"
		}
		if !slices.Contains(deps, proof) {
			t.Fatalf("functions/%s: no %s among its packages; the check would prove nothing", dir, proof)
		}
		for _, b := range banned {
			if slices.Contains(deps, b) {
				t.Errorf("functions/%s imports %s", dir, b)
			}
		}
		for _, n := range needs[dir] {
			if !slices.Contains(deps, n) {
				t.Errorf("functions/%s does not link %s", dir, n)
			}
		}
	}
}
