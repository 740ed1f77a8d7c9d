package console

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/keymint/keymint/shared/config"
)

func get(t *testing.T, c *Console, route string, params, headers map[string]string) events.APIGatewayV2HTTPResponse {
	t.Helper()
	r, err := c.Handle(context.Background(), events.APIGatewayV2HTTPRequest{RouteKey: route, PathParameters: params, Headers: headers})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// Every answer carries the page's security headers; the policy opens the
// network only to this origin and the provider's.
func TestConsoleServesItsFilesUnderItsPolicy(t *testing.T) {
	t.Parallel()
	c, err := New(Settings{OIDC: config.OIDC{Issuer: "https://id.example.com/tenant/v2.0", Audience: "console-client"}, DefaultLifetime: 30 * 24 * time.Hour, MaxLifetime: 90 * 24 * time.Hour, MaxGrace: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	index := get(t, c, RouteIndex, nil, nil)
	if index.StatusCode != http.StatusOK || !strings.HasPrefix(index.Headers["Content-Type"], "text/html") || !strings.Contains(index.Body, "<html") {
		t.Fatalf("index: %d %v", index.StatusCode, index.Headers)
	}
	csp := index.Headers["Content-Security-Policy"]
	for _, want := range []string{"default-src 'none'", "script-src 'self'", "connect-src 'self' https://id.example.com;", "frame-ancestors 'none'"} {
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
	if err := json.Unmarshal([]byte(cfg.Body), &got); err != nil || got != (Config{Issuer: "https://id.example.com/tenant/v2.0", ClientID: "console-client", Scopes: "openid profile email", SignIn: true, DefaultLifetimeDays: 30, MaxLifetimeDays: 90, MaxGraceSeconds: 3600}) {
		t.Fatalf("config %s %v", cfg.Body, err)
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
		route, params := RouteAsset, map[string]string{"file": name}
		if name == "index.html" {
			route, params = RouteIndex, nil
		}
		if r := get(t, c, route, params, nil); r.StatusCode != http.StatusOK {
			t.Errorf("%s: %d", name, r.StatusCode)
		}
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
