package policy

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func defaultCat(t testing.TB) *Catalogue {
	t.Helper()
	c, err := Default()
	if err != nil {
		t.Fatalf("Default: %v", err)
	}
	return c
}

func TestDefaultCatalogueContents(t *testing.T) {
	t.Parallel()
	c := defaultCat(t)
	wantScopes := []string{"orders:read", "orders:write", "reports:read", "tokens:admin", "tokens:read", "tokens:write"}
	if got := c.Scopes(); !slices.Equal(got, wantScopes) {
		t.Errorf("Scopes() = %v, want %v", got, wantScopes)
	}
	wantBundles := map[string][]string{
		"tokens:manage": {"tokens:read", "tokens:write"},
		"orders:full":   {"orders:read", "orders:write"},
		"read-only":     {"orders:read", "reports:read", "tokens:read"},
	}
	got := c.Bundles()
	if len(got) != len(wantBundles) {
		t.Errorf("Bundles() = %v, want %v", got, wantBundles)
	}
	for name, want := range wantBundles {
		if !slices.Equal(got[name], want) {
			t.Errorf("Bundles()[%q] = %v, want %v", name, got[name], want)
		}
	}
	if c.Description("tokens:admin") == "" {
		t.Error("tokens:admin has no description")
	}
}

func TestCataloguePartsAreCopies(t *testing.T) {
	t.Parallel()
	c := defaultCat(t)
	c.Scopes()[0] = "mutated"
	b := c.Bundles()
	b["tokens:manage"][0] = "mutated"
	b["new"] = []string{"x"}
	if slices.Contains(c.Scopes(), "mutated") {
		t.Error("Scopes() shares its backing array")
	}
	again := c.Bundles()
	if again["tokens:manage"][0] == "mutated" || again["new"] != nil {
		t.Error("Bundles() shares state with the catalogue")
	}
}

func TestAllowsDefault(t *testing.T) {
	t.Parallel()
	c := defaultCat(t)
	read := []string{"tokens:read"}
	write := []string{"tokens:write"}
	admin := []string{"tokens:admin"}
	orders := []string{"orders:read"}
	tests := []struct {
		name   string
		scopes []string
		method string
		path   string
		want   bool
	}{
		{"read lists", read, "GET", "/tokens", true},
		{"read gets one", read, "GET", "/tokens/tk_1", true},
		{"read usage", read, "GET", "/tokens/tk_1/usage", true},
		{"read audit", read, "GET", "/tokens/tk_1/audit", true},
		{"read cannot issue", read, "POST", "/tokens", false},
		{"read cannot revoke", read, "DELETE", "/tokens/tk_1", false},
		{"read cannot disable owner", read, "PUT", "/owners/alice/status", false},

		{"write issues", write, "POST", "/tokens", true},
		{"write patches", write, "PATCH", "/tokens/tk_1", true},
		{"write regenerates", write, "POST", "/tokens/tk_1/regenerate", true},
		{"write copies", write, "POST", "/tokens/tk_1/copy", true},
		{"write deactivates", write, "POST", "/tokens/tk_1/deactivate", true},
		{"write activates", write, "POST", "/tokens/tk_1/activate", true},
		{"write deletes", write, "DELETE", "/tokens/tk_1", true},
		{"write bulk revokes", write, "POST", "/tokens/revoke", true},
		{"write blocks ip", write, "PUT", "/tokens/tk_1/blocked-ips/203.0.113.9", true},
		{"write unblocks ip", write, "DELETE", "/tokens/tk_1/blocked-ips/203.0.113.9", true},
		{"write cannot read", write, "GET", "/tokens", false},
		{"write cannot disable owner", write, "PUT", "/owners/alice/status", false},
		{"write unknown sub-route", write, "POST", "/tokens/tk_1/explode", false},

		{"admin disables owner", admin, "PUT", "/owners/alice/status", true},
		{"admin implies read", admin, "GET", "/tokens/tk_1/audit", true},
		{"admin implies write", admin, "POST", "/tokens", true},
		{"admin implies write blocked-ips", admin, "DELETE", "/tokens/tk_1/blocked-ips/x", true},
		{"admin owner status other method", admin, "GET", "/owners/alice/status", false},
		{"admin unknown route", admin, "GET", "/owners/a/b", false},
		{"admin owners list", admin, "GET", "/owners", true},

		{"whoami with read", read, "GET", "/whoami", true},
		{"whoami with API scope", orders, "GET", "/whoami", true},
		{"whoami with no scopes", nil, "GET", "/whoami", true},
		{"whoami with unknown scope", []string{"gone:scope"}, "GET", "/whoami", true},
		{"whoami other method", read, "POST", "/whoami", false},

		{"api scope reads orders", orders, "GET", "/orders/7", true},
		{"api scope not management", orders, "GET", "/tokens", false},
		{"reports nested", []string{"reports:read"}, "GET", "/reports/2024/q1", true},
		{"unknown route denied to admin", admin, "GET", "/nowhere", false},
		{"unknown route denied to everyone", []string{"tokens:admin", "orders:read", "orders:write", "reports:read"}, "DELETE", "/reports/x", false},
		{"unknown scope opens nothing", []string{"orders:delete"}, "GET", "/orders", false},
		{"bundle name opens nothing", []string{"orders:full"}, "GET", "/orders", false},
		{"one good scope among unknown", []string{"nope", "orders:read"}, "GET", "/orders", true},
		{"junk path", admin, "GET", "/tokens//usage", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := c.Allows(tt.scopes, tt.method, tt.path); got != tt.want {
				t.Errorf("Allows(%v, %s, %q) = %v, want %v", tt.scopes, tt.method, tt.path, got, tt.want)
			}
			if got := c.AllowsRoute(tt.scopes, tt.method+" "+tt.path); got != tt.want {
				t.Errorf("AllowsRoute(%v, %q) = %v, want %v", tt.scopes, tt.method+" "+tt.path, got, tt.want)
			}
		})
	}
}

func TestAllowsRouteMalformed(t *testing.T) {
	t.Parallel()
	c := defaultCat(t)
	for _, route := range []string{"", "GET", "/whoami", "GET/whoami", " /whoami", "GET  /whoami"} {
		t.Run(route, func(t *testing.T) {
			if c.AllowsRoute([]string{"tokens:admin"}, route) {
				t.Errorf("AllowsRoute(%q) = true, want false", route)
			}
		})
	}
}

func TestAllowsDoesNotAllocate(t *testing.T) {
	c := defaultCat(t)
	scopes := []string{"orders:read", "tokens:admin"}
	allocs := testing.AllocsPerRun(100, func() {
		if !c.Allows(scopes, "DELETE", "/tokens/tk_1/blocked-ips/10.0.0.1?x=1") {
			t.Fatal("Allows = false")
		}
	})
	if allocs != 0 {
		t.Errorf("Allows allocates %v times per call, want 0", allocs)
	}
}

func TestExpand(t *testing.T) {
	t.Parallel()
	c := defaultCat(t)
	tests := []struct {
		name      string
		requested []string
		want      []string
		wantErr   bool
		unknown   string
	}{
		{"nothing", nil, []string{}, false, ""},
		{"one scope", []string{"orders:read"}, []string{"orders:read"}, false, ""},
		{"sorted", []string{"tokens:write", "orders:read"}, []string{"orders:read", "tokens:write"}, false, ""},
		{"bundle", []string{"tokens:manage"}, []string{"tokens:read", "tokens:write"}, false, ""},
		{"bundles overlap deduped", []string{"read-only", "orders:full", "tokens:read"},
			[]string{"orders:read", "orders:write", "reports:read", "tokens:read"}, false, ""},
		{"duplicates", []string{"orders:read", "orders:read"}, []string{"orders:read"}, false, ""},
		{"implications not added", []string{"tokens:admin"}, []string{"tokens:admin"}, false, ""},
		{"unknown names the first", []string{"orders:read", "orders:delete", "nope"}, nil, true, "orders:delete"},
		{"empty entry", []string{""}, nil, true, ""},
		{"case matters", []string{"Orders:Read"}, nil, true, "Orders:Read"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := c.Expand(tt.requested)
			if !tt.wantErr {
				if err != nil {
					t.Fatalf("Expand(%v): %v", tt.requested, err)
				}
				if !slices.Equal(got, tt.want) || got == nil {
					t.Errorf("Expand(%v) = %#v, want %#v", tt.requested, got, tt.want)
				}
				return
			}
			if !errors.Is(err, ErrUnknownScope) {
				t.Fatalf("Expand(%v) error = %v, want ErrUnknownScope", tt.requested, err)
			}
			var use UnknownScopeError
			if !errors.As(err, &use) {
				t.Fatalf("Expand(%v) error %T is not an UnknownScopeError", tt.requested, err)
			}
			if use.Scope != tt.unknown {
				t.Errorf("UnknownScopeError.Scope = %q, want %q", use.Scope, tt.unknown)
			}
			if got != nil {
				t.Errorf("Expand(%v) returned %v with an error", tt.requested, got)
			}
		})
	}
}

func TestEffective(t *testing.T) {
	t.Parallel()
	c := defaultCat(t)
	tests := []struct {
		in, want []string
	}{
		{nil, []string{}},
		{[]string{"tokens:read"}, []string{"tokens:read"}},
		{[]string{"tokens:admin"}, []string{"tokens:admin", "tokens:read", "tokens:write"}},
		{[]string{"tokens:write", "tokens:admin", "orders:read"}, []string{"orders:read", "tokens:admin", "tokens:read", "tokens:write"}},
		{[]string{"gone:scope", "tokens:read"}, []string{"gone:scope", "tokens:read"}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.in, "+"), func(t *testing.T) {
			if got := c.Effective(tt.in); !slices.Equal(got, tt.want) {
				t.Errorf("Effective(%v) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestKnown(t *testing.T) {
	t.Parallel()
	c := defaultCat(t)
	tests := []struct {
		scope string
		want  bool
	}{
		{"tokens:read", true},
		{"reports:read", true},
		{"tokens:manage", false}, // a bundle
		{"tokens", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := c.Known(tt.scope); got != tt.want {
			t.Errorf("Known(%q) = %v, want %v", tt.scope, got, tt.want)
		}
	}
}

func TestImpliesIsTransitive(t *testing.T) {
	t.Parallel()
	c, err := Parse([]byte(`{"scopes": {
		"a": {"implies": ["b"], "routes": ["GET /a"]},
		"b": {"implies": ["c"], "routes": ["GET /b"]},
		"c": {"implies": ["a"], "routes": ["GET /c"]},
		"d": {"routes": ["GET /d"]}
	}}`))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	tests := []struct {
		scope, path string
		want        bool
	}{
		{"a", "/c", true},
		{"c", "/b", true},
		{"a", "/d", false},
		{"d", "/a", false},
	}
	for _, tt := range tests {
		if got := c.Allows([]string{tt.scope}, "GET", tt.path); got != tt.want {
			t.Errorf("Allows(%s, GET %s) = %v, want %v", tt.scope, tt.path, got, tt.want)
		}
	}
}

func TestParseAccepts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		raw  string
	}{
		{"minimal", `{"scopes": {"a": {"routes": ["GET /a"]}}}`},
		{"scope without routes", `{"scopes": {"a": {}}}`},
		{"wildcards", `{"scopes": {"a": {"routes": ["ANY /a/*", "* /b/**", "GET /"]}}}`},
		{"duplicate routes", `{"scopes": {"a": {"routes": ["GET /a", "GET /a/"]}}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Parse([]byte(tt.raw)); err != nil {
				t.Errorf("Parse: %v", err)
			}
		})
	}
}

func TestParseRejects(t *testing.T) {
	t.Parallel()
	scope := func(routes string) string {
		return `{"scopes": {"a": {"routes": [` + routes + `]}}}`
	}
	tests := []struct {
		name string
		raw  string
	}{
		{"empty input", ``},
		{"not json", `scopes: a`},
		{"null", `null`},
		{"no scopes", `{"anyToken": ["GET /whoami"]}`},
		{"empty scopes", `{"scopes": {}}`},
		{"trailing data", `{"scopes": {"a": {}}} {}`},
		{"unknown top-level field", `{"scopes": {"a": {}}, "bundle": {}}`},
		{"misspelt routes", `{"scopes": {"a": {"route": ["GET /a"]}}}`},
		{"routes not strings", `{"scopes": {"a": {"routes": [1]}}}`},
		{"scope name with space", `{"scopes": {"a b": {}}}`},
		{"empty scope name", `{"scopes": {"": {}}}`},

		{"no method", scope(`"/a"`)},
		{"lower-case method", scope(`"get /a"`)},
		{"method with digits", scope(`"GET2 /a"`)},
		{"two spaces", scope(`"GET  /a"`)},
		{"tab separator", scope(`"GET\t/a"`)},
		{"relative path", scope(`"GET a"`)},
		{"empty path", scope(`"GET "`)},
		{"double slash", scope(`"GET /a//b"`)},
		{"leading double slash", scope(`"GET //a"`)},
		{"double star not last", scope(`"GET /**/a"`)},
		{"partial star", scope(`"GET /a*"`)},
		{"triple star", scope(`"GET /***"`)},
		{"api gateway parameter", scope(`"GET /orders/{id}"`)},
		{"greedy api gateway parameter", scope(`"GET /orders/{proxy+}"`)},
		{"query in pattern", scope(`"GET /a?x=1"`)},
		{"fragment in pattern", scope(`"GET /a#x"`)},
		{"dollar in pattern", scope(`"GET /a/${aws:username}"`)},
		{"space in path", scope(`"GET /a b"`)},
		{"dot-dot in pattern", scope(`"GET /a/../b"`)},

		{"implies unknown", `{"scopes": {"a": {"implies": ["b"]}}}`},
		{"implies a bundle", `{"scopes": {"a": {"implies": ["bb"]}, "b": {}}, "bundles": {"bb": ["b"]}}`},
		{"bad anyToken route", `{"scopes": {"a": {}}, "anyToken": ["GET whoami"]}`},
		{"bundle names unknown scope", `{"scopes": {"a": {}}, "bundles": {"bb": ["a", "z"]}}`},
		{"bundle names a bundle", `{"scopes": {"a": {}}, "bundles": {"b1": ["a"], "b2": ["b1"]}}`},
		{"bundle named like a scope", `{"scopes": {"a": {}, "b": {}}, "bundles": {"a": ["b"]}}`},
		{"empty bundle", `{"scopes": {"a": {}}, "bundles": {"bb": []}}`},
		{"bundle name with space", `{"scopes": {"a": {}}, "bundles": {"b b": ["a"]}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse([]byte(tt.raw))
			if !errors.Is(err, ErrInvalidCatalogue) {
				t.Errorf("Parse(%s) = %v, %v; want ErrInvalidCatalogue", tt.raw, c, err)
			}
		})
	}
}

func TestLoad(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	custom := filepath.Join(dir, "custom.json")
	if err := os.WriteFile(custom, []byte(`{"scopes": {"pets:read": {"routes": ["GET /pets"]}}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	broken := filepath.Join(dir, "broken.json")
	if err := os.WriteFile(broken, []byte(`{"scopes": {"pets:read": {"routes": ["GET pets"]}}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		path       string
		wantErr    error
		wantScopes []string
	}{
		{"empty path is the default", "", nil, defaultCat(t).Scopes()},
		{"custom file", custom, nil, []string{"pets:read"}},
		{"missing file", filepath.Join(dir, "missing.json"), fs.ErrNotExist, nil},
		{"invalid file", broken, ErrInvalidCatalogue, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Load(tt.path)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("Load(%q) error = %v, want %v", tt.path, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Load(%q): %v", tt.path, err)
			}
			if got := c.Scopes(); !slices.Equal(got, tt.wantScopes) {
				t.Errorf("Load(%q).Scopes() = %v, want %v", tt.path, got, tt.wantScopes)
			}
		})
	}
}

func BenchmarkAllows(b *testing.B) {
	c := defaultCat(b)
	cases := []struct {
		name   string
		scopes []string
		method string
		path   string
	}{
		{"anyToken", []string{"orders:read"}, "GET", "/whoami"},
		{"admin deep route", []string{"orders:read", "reports:read", "tokens:admin"}, "DELETE", "/tokens/tk_01HZX/blocked-ips/203.0.113.9"},
		{"denied", []string{"orders:read", "orders:write", "reports:read", "tokens:admin"}, "GET", "/nowhere/at/all"},
	}
	for _, bc := range cases {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				c.Allows(bc.scopes, bc.method, bc.path)
			}
		})
	}
}
