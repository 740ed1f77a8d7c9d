package importcheck

import (
	"slices"
	"strings"
	"testing"
)

const mod = "github.com/keymint/keymint/"

// wiring are the packages that know the App and the configuration
// (rule 1); a path ending in "/" covers what is under it.
var wiring = []string{mod + "shared/app", mod + "shared/app/", mod + "shared/config", mod + "shared/registry"}

// sdkCalls are the AWS SDK service and feature packages each domain
// package may import, with what is under them, because it calls that
// service (rule 3).
var sdkCalls = map[string][]string{
	mod + "shared/store":             {"github.com/aws/aws-sdk-go-v2/service/dynamodb/", "github.com/aws/aws-sdk-go-v2/feature/dynamodb/"},
	mod + "shared/keyring/awssecret": {"github.com/aws/aws-sdk-go-v2/service/secretsmanager/"},
	mod + "shared/sweep":             {"github.com/aws/aws-sdk-go-v2/service/eventbridge/"},
	mod + "shared/usagekey":          {"github.com/aws/aws-sdk-go-v2/service/apigateway/"},
}

// importedOnlyBy are packages only the listed ones may import (rule 6):
// what links them carries libraries every other function must not. OpenID
// Connect verification (go-oidc, go-jose) is validate's alone, so
// shared/config, which every function links, must not import it. The
// pepper in Secrets Manager is read only by the functions that hash or
// verify secrets (issue, validate), through shared/app/pepper.
var importedOnlyBy = map[string][]string{
	mod + "shared/signin/idtoken":                         {mod + "shared/validate", mod + "shared/app/validatefn"},
	mod + "shared/keyring/awssecret":                      {mod + "shared/app/pepper"},
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager": {mod + "shared/keyring/awssecret", mod + "shared/app/pepper"},
	mod + "shared/app/pepper":                             {mod + "shared/app/issuefn", mod + "shared/app/validatefn"},
	// API Gateway's SDK: only the functions that move owners' API keys.
	mod + "shared/usagekey":                           {mod + "shared/app/usagekeyfn"},
	"github.com/aws/aws-sdk-go-v2/service/apigateway": {mod + "shared/usagekey", mod + "shared/app/usagekeyfn"},
	mod + "shared/app/usagekeyfn":                     {mod + "shared/app/issuefn", mod + "shared/app/revokefn"},
}

const (
	sdkServices = "github.com/aws/aws-sdk-go-v2/service/"
	sdkFeatures = "github.com/aws/aws-sdk-go-v2/feature/"
	sdkConfig   = "github.com/aws/aws-sdk-go-v2/config"
)

// pkg is what the test reads of `go list -deps -json`.
type pkg struct {
	ImportPath string
	Imports    []string
	Deps       []string
}

// matches reports p is one of paths, or is or is under one ending in "/".
func matches(p string, paths []string) bool {
	for _, q := range paths {
		if p == q || strings.HasSuffix(q, "/") && strings.HasPrefix(p+"/", q) {
			return true
		}
	}
	return false
}

// sharedPackages lists every package under shared/ with its imports and
// dependencies, as the go command builds them (no test files).
func sharedPackages(t *testing.T) []pkg {
	t.Helper()
	var pkgs []pkg
	for _, p := range goList[pkg](t, "-deps", "-json=ImportPath,Imports,Deps", "./shared/...") {
		if strings.HasPrefix(p.ImportPath, mod+"shared/") {
			pkgs = append(pkgs, p)
		}
	}
	return pkgs
}

func TestImportRules(t *testing.T) {
	t.Parallel()
	pkgs := sharedPackages(t)
	var domain, wired []string
	importers := map[string][]string{}
	for _, p := range pkgs {
		if matches(p.ImportPath, wiring) {
			wired = append(wired, p.ImportPath)
		} else {
			domain = append(domain, p.ImportPath)
		}
		for _, d := range p.Deps {
			if strings.HasPrefix(d, mod+"infra/") || strings.HasPrefix(d, mod+"internal/") || strings.HasPrefix(d, mod+"functions/") {
				t.Errorf("rule 2: %s imports %s", p.ImportPath, d)
			}
		}
		for _, d := range p.Imports {
			if allowed, ok := importedOnlyBy[d]; ok {
				importers[d] = append(importers[d], p.ImportPath)
				if !slices.Contains(allowed, p.ImportPath) {
					t.Errorf("rule 6: %s imports %s, which only %v may", p.ImportPath, d, allowed)
				}
			}
		}
		if matches(p.ImportPath, wiring) {
			continue
		}
		for _, d := range p.Deps {
			if matches(d, wiring) {
				t.Errorf("rule 1: domain package %s imports the wiring package %s", p.ImportPath, d)
			}
			if d == sdkConfig {
				t.Errorf("rule 3: domain package %s links the AWS SDK's config loader", p.ImportPath)
			}
		}
		for _, d := range p.Imports {
			if (strings.HasPrefix(d, sdkServices) || strings.HasPrefix(d, sdkFeatures)) && !matches(d, sdkCalls[p.ImportPath]) {
				t.Errorf("rule 3: domain package %s imports %s, a service it does not call", p.ImportPath, d)
			}
		}
	}
	// Proof rule 6 looked at real imports: each restricted package is
	// imported by at least one of those allowed.
	for d := range importedOnlyBy {
		if len(importers[d]) == 0 {
			t.Errorf("rule 6: nothing imports %s; the rule would prove nothing", d)
		}
	}
	// Proof the lists are the ones the rules are about: they would pass
	// vacuously on an empty or mis-split listing.
	for _, want := range []string{mod + "shared/manage", mod + "shared/validate", mod + "shared/api", mod + "shared/sweep", mod + "shared/console", mod + "shared/store"} {
		if !slices.Contains(domain, want) {
			t.Errorf("%s is not among the domain packages %v", want, domain)
		}
	}
	for _, want := range []string{mod + "shared/app", mod + "shared/config", mod + "shared/registry"} {
		if !slices.Contains(wired, want) {
			t.Errorf("%s is not among the wiring packages %v", want, wired)
		}
	}
	for p, calls := range sdkCalls {
		if !slices.Contains(domain, p) {
			t.Errorf("%s may call %v but is not a domain package", p, calls)
		}
	}
}
