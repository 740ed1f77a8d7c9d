package console

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/keymint/keymint/shared/signin"
)

func get(t *testing.T, c *Console, route string, params, headers map[string]string) events.APIGatewayV2HTTPResponse {
	t.Helper()
	r, err := c.Handle(context.Background(), events.APIGatewayV2HTTPRequest{RouteKey: route, PathParameters: params, Headers: headers})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// fakeProvider serves a discovery document whose token endpoint is on
// another origin than the issuer (as Cognito's is), and can be taken down.
type fakeProvider struct {
	issuer, tokenOrigin string
	down                atomic.Bool
	reads               atomic.Int64
}

func newFakeProvider(t *testing.T) *fakeProvider {
	t.Helper()
	p := &fakeProvider{}
	tokens := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(tokens.Close)
	p.tokenOrigin = tokens.URL
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.reads.Add(1)
		if p.down.Load() || r.URL.Path != "/pool/.well-known/openid-configuration" {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]string{
			"issuer": p.issuer, "jwks_uri": p.issuer + "/jwks", "authorization_endpoint": tokens.URL + "/oauth2/authorize",
			"token_endpoint": tokens.URL + "/oauth2/token", "end_session_endpoint": "javascript:alert(1)",
		})
	}))
	t.Cleanup(srv.Close)
	p.issuer = srv.URL + "/pool"
	return p
}

func settings(p *fakeProvider, now func() time.Time) Settings {
	return Settings{OIDC: signin.OIDC{Issuer: p.issuer, Audience: "console-client"}, DefaultLifetime: 30 * 24 * time.Hour,
		MaxLifetime: 90 * 24 * time.Hour, MaxGrace: time.Hour, LastUsedInterval: 5 * time.Minute, SingleToken: true, Now: now}
}

// Every answer carries the page's security headers; the policy opens the
// network only to this origin and the provider's token endpoint, read from
// its discovery document (not the issuer's origin, which the page never
// calls).
func TestConsoleServesItsFilesUnderItsPolicy(t *testing.T) {
	t.Parallel()
	p := newFakeProvider(t)
	c, err := New(settings(p, nil))
	if err != nil {
		t.Fatal(err)
	}
	index := get(t, c, RouteIndex, nil, nil)
	if index.StatusCode != http.StatusOK || !strings.HasPrefix(index.Headers["Content-Type"], "text/html") || !strings.Contains(index.Body, "<html") {
		t.Fatalf("index: %d %v", index.StatusCode, index.Headers)
	}
	csp := index.Headers["Content-Security-Policy"]
	for _, want := range []string{"default-src 'none'", "script-src 'self'", "connect-src 'self' " + p.tokenOrigin + ";", "form-action 'self';", "frame-ancestors 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe") || index.Headers["X-Content-Type-Options"] != "nosniff" || index.Headers["Referrer-Policy"] != "no-referrer" {
		t.Errorf("headers %v", index.Headers)
	}
	// The browser's copy is current: 304, no body.
	again := get(t, c, RouteIndex, nil, map[string]string{"if-none-match": index.Headers["ETag"]})
	if again.StatusCode != http.StatusNotModified || again.Body != "" {
		t.Fatalf("revalidation: %d %q", again.StatusCode, again.Body)
	}

	cfg := get(t, c, RouteAsset, map[string]string{"file": "config.json"}, nil)
	var got Config
	want := Config{Issuer: p.issuer, ClientID: "console-client", Scopes: "openid profile email", SignIn: true,
		DefaultLifetimeDays: 30, MaxLifetimeDays: 90, MaxGraceSeconds: 3600, LastUsedIntervalSeconds: 300, SingleTokenPerOwner: true,
		AuthorizationEndpoint: p.tokenOrigin + "/oauth2/authorize", TokenEndpoint: p.tokenOrigin + "/oauth2/token"}
	// An end-session endpoint that is not http(s) is dropped, not passed on.
	if err := json.Unmarshal([]byte(cfg.Body), &got); err != nil || got != want {
		t.Fatalf("config %s %v, want %+v", cfg.Body, err, want)
	}
	if n := p.reads.Load(); n != 1 {
		t.Errorf("discovery read %d times, want once per container", n)
	}
	for _, name := range []string{"../console.go", "index.html", "INDEX.HTML", "x.exe", "missing.js", "", "a/b.js"} {
		if r := get(t, c, RouteAsset, map[string]string{"file": name}, nil); r.StatusCode != http.StatusNotFound || r.Headers["Content-Security-Policy"] == "" {
			t.Errorf("%q: %d", name, r.StatusCode)
		}
	}
	if r := get(t, c, "GET /elsewhere", nil, nil); r.StatusCode != http.StatusNotFound {
		t.Errorf("unknown route: %d", r.StatusCode)
	}
	// Every embedded file is reachable under its own name.
	for name := range c.files {
		route, params := RouteIndex, map[string]string(nil)
		if name != "index.html" {
			route, params = RouteAsset, map[string]string{"file": name}
		}
		if r := get(t, c, route, params, nil); r.StatusCode != http.StatusOK {
			t.Errorf("%s: %d", name, r.StatusCode)
		}
	}
}

// While the provider cannot be read the page still loads (its policy opens
// nothing), config.json is 503 problem+json with Retry-After, discovery is
// retried no more than every retryDiscovery, and sign-in works once the
// provider is back.
func TestConsoleWhileTheProviderIsDown(t *testing.T) {
	t.Parallel()
	p := newFakeProvider(t)
	p.down.Store(true)
	var mu sync.Mutex
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	c, err := New(settings(p, clock))
	if err != nil {
		t.Fatal(err)
	}
	index := get(t, c, RouteIndex, nil, nil)
	if index.StatusCode != http.StatusOK || !strings.Contains(index.Headers["Content-Security-Policy"], "connect-src 'self';") {
		t.Fatalf("index while down: %d %q", index.StatusCode, index.Headers["Content-Security-Policy"])
	}
	cfg := get(t, c, RouteAsset, map[string]string{"file": "config.json"}, nil)
	var problem struct {
		Type   string `json:"type"`
		Status int    `json:"status"`
	}
	if err := json.Unmarshal([]byte(cfg.Body), &problem); err != nil || cfg.StatusCode != http.StatusServiceUnavailable ||
		problem.Status != http.StatusServiceUnavailable || problem.Type != "https://keymint.dev/problems/unavailable" ||
		cfg.Headers["Content-Type"] != "application/problem+json" || cfg.Headers["Retry-After"] != "10" {
		t.Fatalf("config.json while down: %d %v %s", cfg.StatusCode, cfg.Headers, cfg.Body)
	}
	if strings.Contains(cfg.Body, "503") && strings.Contains(cfg.Body, "down") {
		t.Errorf("the provider's own answer leaked into the page's: %s", cfg.Body)
	}
	if n := p.reads.Load(); n != 1 {
		t.Fatalf("%d discovery reads within the back-off, want 1", n)
	}
	p.down.Store(false)
	if r := get(t, c, RouteAsset, map[string]string{"file": "config.json"}, nil); r.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("within the back-off: %d, want still 503 without a read", r.StatusCode)
	}
	mu.Lock()
	now = now.Add(retryDiscovery)
	mu.Unlock()
	if r := get(t, c, RouteAsset, map[string]string{"file": "config.json"}, nil); r.StatusCode != http.StatusOK || !strings.Contains(r.Body, p.tokenOrigin+"/oauth2/token") {
		t.Fatalf("after the back-off: %d %s", r.StatusCode, r.Body)
	}
	if n := p.reads.Load(); n != 2 {
		t.Fatalf("%d discovery reads, want 2", n)
	}
}

// A discovery document naming another issuer, or an http token endpoint
// off loopback, is refused: the browser would send its code there.
func TestConsoleRefusesAnUnsafeProvider(t *testing.T) {
	t.Parallel()
	for name, doc := range map[string]map[string]string{
		"another issuer":    {"issuer": "https://elsewhere.example", "authorization_endpoint": "https://a.example/auth", "token_endpoint": "https://a.example/token"},
		"plain http token":  {"authorization_endpoint": "https://a.example/auth", "token_endpoint": "http://a.example/token"},
		"no authorization":  {"token_endpoint": "https://a.example/token"},
		"javascript: token": {"authorization_endpoint": "https://a.example/auth", "token_endpoint": "javascript:alert(1)"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var issuer string
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				out := map[string]string{"issuer": issuer, "jwks_uri": issuer + "/jwks"}
				for k, v := range doc {
					out[k] = v
				}
				_ = json.NewEncoder(w).Encode(out)
			}))
			t.Cleanup(srv.Close)
			issuer = srv.URL
			c, err := New(Settings{OIDC: signin.OIDC{Issuer: issuer, Audience: "c"}})
			if err != nil {
				t.Fatal(err)
			}
			if r := get(t, c, RouteAsset, map[string]string{"file": "config.json"}, nil); r.StatusCode != http.StatusServiceUnavailable {
				t.Fatalf("config.json: %d %s, want 503", r.StatusCode, r.Body)
			}
		})
	}
}

// Sign-in off: the page still loads, and says so in its config.
func TestConsoleWithoutSignIn(t *testing.T) {
	t.Parallel()
	c, err := New(Settings{})
	if err != nil {
		t.Fatal(err)
	}
	var got Config
	if err := json.Unmarshal([]byte(get(t, c, RouteAsset, map[string]string{"file": "config.json"}, nil).Body), &got); err != nil || got.SignIn {
		t.Fatalf("config %+v %v", got, err)
	}
	if csp := get(t, c, RouteIndex, nil, nil).Headers["Content-Security-Policy"]; !strings.Contains(csp, "connect-src 'self';") {
		t.Fatalf("CSP without a provider: %q", csp)
	}
}

func TestBinaryTypes(t *testing.T) {
	t.Parallel()
	for ct, want := range map[string]bool{"image/png": true, "image/x-icon": true, "text/css; charset=utf-8": false,
		"text/javascript; charset=utf-8": false, "image/svg+xml": false, "application/json": true} {
		if binary(ct) != want {
			t.Errorf("binary(%q) = %v", ct, !want)
		}
	}
}

// Every file the page or a module names is served, under a type the
// browser runs it as; no file is shipped that nothing uses; and nothing
// inline needs the policy loosened ('unsafe-inline' is never sent).
func TestEveryReferencedAssetIsServed(t *testing.T) {
	t.Parallel()
	c, err := New(Settings{})
	if err != nil {
		t.Fatal(err)
	}
	refs := regexp.MustCompile(`(?:src|href)="console/([a-z0-9-]+\.[a-z]+)"|from '\./([a-z0-9-]+\.js)'`)
	inline := regexp.MustCompile(`(?i)<script(?:\s+type="module")?\s*>|<style|\sstyle="|\son[a-z]+="`)
	used := map[string]bool{}
	for name, f := range c.files {
		if strings.HasSuffix(name, ".html") || strings.HasSuffix(name, ".js") {
			if m := inline.FindString(string(f.body)); m != "" {
				t.Errorf("%s has inline %q, which the policy refuses", name, m)
			}
			for _, m := range refs.FindAllStringSubmatch(string(f.body), -1) {
				used[m[1]+m[2]] = true
			}
		}
	}
	for name := range used {
		r := get(t, c, RouteAsset, map[string]string{"file": name}, nil)
		if r.StatusCode != http.StatusOK {
			t.Errorf("%s is referenced but answers %d", name, r.StatusCode)
		}
		if strings.HasSuffix(name, ".js") && r.Headers["Content-Type"] != "text/javascript; charset=utf-8" {
			t.Errorf("%s served as %q: browsers refuse modules that are not JavaScript", name, r.Headers["Content-Type"])
		}
	}
	for name := range c.files {
		if name != "index.html" && !used[name] {
			t.Errorf("%s is shipped but nothing references it", name)
		}
	}
	if !used["app.js"] {
		t.Error("index.html does not load app.js")
	}
}
