package templatecheck_test

import (
	"bufio"
	"debug/elf"
	"encoding/json"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/keymint/keymint/infra/ddbtest"
	"github.com/keymint/keymint/infra/localrt"
	"github.com/keymint/keymint/infra/stack"
	"github.com/keymint/keymint/infra/tabledef"
	"github.com/keymint/keymint/shared/store"
)

const (
	tableArn  = "arn:aws:dynamodb:us-east-1:123456789012:table/keymint-tokens"
	secretArn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:keymint-keyring"
	busArn    = "arn:aws:events:us-east-1:123456789012:event-bus/default"
)

var functionIDs = []string{"DescribeFunction", "IssueFunction", "RevokeFunction", "SweeperFunction", "ValidateFunction"}

func root(t *testing.T) string {
	t.Helper()
	r, err := ddbtest.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// load resolves ARNs to deploy-like values so policy resources can be read.
func load(t *testing.T) *stack.Stack {
	t.Helper()
	st, err := stack.Load(filepath.Join(root(t), "template.yaml"), stack.Resolver{
		Refs: map[string]string{"TokenTable": "keymint-tokens", "KeyringSecret": secretArn},
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

// designRoutes reads the route table of DESIGN.md section 6, expanding its
// shorthands: "`POST /tokens/{id}/deactivate` · `/activate`" and
// "`PUT` · `DELETE /tokens/{id}/blocked-ips/{ip}`".
func designRoutes(t *testing.T) map[string]string {
	t.Helper()
	path := filepath.Join(root(t), "..", "shared", "DESIGN.md")
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("DESIGN.md is expected beside the repository at %s: %v", path, err)
	}
	defer f.Close()
	code := regexp.MustCompile("`([^`]+)`")
	full := regexp.MustCompile(`^([A-Z]+) (/\S*)$`)
	routes := map[string]string{}
	in := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "## ") {
			in = strings.HasPrefix(line, "## 6.")
			continue
		}
		if !in || !strings.HasPrefix(line, "| `") {
			continue
		}
		cells := strings.Split(line, "|")
		if len(cells) < 3 {
			continue
		}
		fn := strings.TrimSpace(cells[2])
		logical := strings.ToUpper(fn[:1]) + fn[1:] + "Function"
		var pending []string
		var prevMethod, prevPath string
		for _, m := range code.FindAllStringSubmatch(cells[1], -1) {
			part := m[1]
			switch {
			case regexp.MustCompile(`^[A-Z]+$`).MatchString(part):
				pending = append(pending, part)
			case full.MatchString(part):
				mm := full.FindStringSubmatch(part)
				prevMethod, prevPath = mm[1], mm[2]
				for _, method := range append(pending, prevMethod) {
					routes[method+" "+prevPath] = logical
				}
				pending = nil
			case strings.HasPrefix(part, "/") && prevPath != "":
				p := prevPath[:strings.LastIndex(prevPath, "/")] + part
				routes[prevMethod+" "+p] = logical
			default:
				t.Fatalf("DESIGN.md route cell %q: cannot read %q", cells[1], part)
			}
		}
	}
	if len(routes) == 0 {
		t.Fatalf("no routes found in section 6 of %s", path)
	}
	return routes
}

func TestRoutesMatchDesign(t *testing.T) {
	want := designRoutes(t)
	api := load(t).APIs["KeymintApi"]
	if api == nil {
		t.Fatal("no KeymintApi")
	}
	got := map[string]string{}
	for _, r := range api.Routes {
		got[r.Key()] = r.Function
		if r.Authorizer != "KeymintAuthorizer" {
			t.Errorf("%s is not behind KeymintAuthorizer (authorizer %q)", r.Key(), r.Authorizer)
		}
	}
	for key, fn := range want {
		if got[key] != fn {
			t.Errorf("DESIGN.md route %s -> %s; template has %q", key, fn, got[key])
		}
	}
	for key, fn := range got {
		if _, ok := want[key]; !ok {
			t.Errorf("template route %s -> %s is not in DESIGN.md", key, fn)
		}
	}
	if len(want) != 16 {
		t.Errorf("read %d routes from DESIGN.md, expected 16: has the table's shorthand changed?", len(want))
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
	// With caching on, a result cached for one route must not open another.
	if !slices.Contains(az.IdentityContext, "routeKey") {
		t.Errorf("identity context %v lacks routeKey", az.IdentityContext)
	}
	if az.ReauthorizeEvery != 0 {
		t.Errorf("ReauthorizeEvery defaults to %d, want 0 (no caching)", az.ReauthorizeEvery)
	}
}

func TestTableMatchesCodeAndDesign(t *testing.T) {
	def, err := tabledef.FromTemplate(filepath.Join(root(t), "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if def.TTLAttribute != store.TTLAttribute {
		t.Errorf("template TTL attribute %q, store.TTLAttribute %q", def.TTLAttribute, store.TTLAttribute)
	}
	design, err := os.ReadFile(filepath.Join(root(t), "..", "shared", "DESIGN.md"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("TTL attribute `(\\w+)`").FindSubmatch(design)
	if m == nil || string(m[1]) != def.TTLAttribute {
		t.Errorf("DESIGN.md TTL attribute %q, template %q", m, def.TTLAttribute)
	}
}

// TestLeastPrivilege checks the shape of every policy: explicit Allow
// statements only, no wildcards, each function reaching only the resources
// its job needs; ValidateFunction, the hot path, exactly as DESIGN.md wants.
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
		{"IssueFunction", []string{tableArn, gsi1, secretArn}, map[string][]string{
			gsi1:      {"dynamodb:Query"},
			secretArn: {"secretsmanager:GetSecretValue"},
		}},
		{"RevokeFunction", []string{tableArn, gsi1, gsi3}, map[string][]string{gsi1: {"dynamodb:Query"}, gsi3: {"dynamodb:Query"}}},
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

// TestSampleEvents: one sample HTTP event per route, named
// <function>-<method>-<path>.json, whose routeKey is that route.
func TestSampleEvents(t *testing.T) {
	st := load(t)
	dir := filepath.Join(root(t), "events")
	for _, r := range st.APIs["KeymintApi"].Routes {
		fn := strings.ToLower(strings.TrimSuffix(r.Function, "Function"))
		slug := strings.ToLower(r.Method) + "-" + strings.ReplaceAll(strings.Trim(strings.NewReplacer("{", "", "}", "").Replace(r.Path), "/"), "/", "-")
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
