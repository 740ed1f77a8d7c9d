package console

import (
	"context"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"regexp"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/keymint/keymint/shared/app"
	"github.com/keymint/keymint/shared/config"
	"github.com/keymint/keymint/shared/manage"
)

//go:embed assets
var assets embed.FS

// Route keys the ConsoleFunction serves (template.yaml declares them
// without the authorizer).
const (
	RouteIndex = "GET /"
	RouteAsset = "GET /console/{file}"
)

// Routes lists the console's routes.
func Routes() []string { return []string{RouteIndex, RouteAsset} }

// assetName is what /console/{file} may name: flat, lower-case files of the
// kinds the console ships. Anything else is 404 before a lookup.
var assetName = regexp.MustCompile(`^[a-z0-9-]+\.(js|css|svg|png|ico|txt)$`)

// types are the console's media types, fixed here rather than read from
// the system's tables, which differ between machines and Lambda's image.
var types = map[string]string{
	".html": "text/html; charset=utf-8",
	".js":   "text/javascript; charset=utf-8",
	".css":  "text/css; charset=utf-8",
	".svg":  "image/svg+xml",
	".png":  "image/png",
	".ico":  "image/x-icon",
	".txt":  "text/plain; charset=utf-8",
}

// file is one asset, read and fingerprinted once.
type file struct {
	body   []byte
	etag   string
	ctype  string
	binary bool
}

// Console serves the console.
type Console struct {
	files   map[string]file
	config  []byte
	headers map[string]string
}

// Config is what the browser needs to sign in and to offer only what the
// API accepts (GET /console/config.json).
type Config struct {
	Issuer   string `json:"issuer"`
	ClientID string `json:"clientId"`
	Scopes   string `json:"scopes"`
	SignIn   bool   `json:"signIn"`
	// DefaultLifetimeDays and MaxLifetimeDays bound the generate dialog's
	// expiry; MaxGraceSeconds the regenerate dialog's grace period.
	DefaultLifetimeDays int   `json:"defaultLifetimeDays"`
	MaxLifetimeDays     int   `json:"maxLifetimeDays"`
	MaxGraceSeconds     int64 `json:"maxGraceSeconds"`
}

// Settings are the deployment's settings the console shows.
type Settings struct {
	OIDC            config.OIDC
	DefaultLifetime time.Duration
	MaxLifetime     time.Duration
	MaxGrace        time.Duration
}

// SettingsOf picks the console's settings from the configuration.
func SettingsOf(c config.Config) Settings {
	return Settings{OIDC: c.OIDC, DefaultLifetime: c.DefaultLifetime, MaxLifetime: c.MaxLifetime, MaxGrace: manage.MaxGrace}
}

// New reads the embedded files and builds the answers' headers for the
// configured provider.
func New(s Settings) (*Console, error) {
	oidc := s.OIDC
	c := &Console{files: map[string]file{}}
	err := fs.WalkDir(assets, "assets", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := assets.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		ct, ok := types[path.Ext(p)]
		if !ok {
			ct = "application/octet-stream"
		}
		c.files[path.Base(p)] = file{body: body, etag: `"` + hex.EncodeToString(sum[:8]) + `"`, ctype: ct, binary: binary(ct)}
		return nil
	})
	if err != nil {
		return nil, err
	}
	const day = 24 * time.Hour
	c.config, err = json.Marshal(Config{
		Issuer: oidc.Issuer, ClientID: oidc.Audience, Scopes: "openid profile email", SignIn: oidc.On(),
		DefaultLifetimeDays: int(s.DefaultLifetime / day), MaxLifetimeDays: int(s.MaxLifetime / day),
		MaxGraceSeconds: int64(s.MaxGrace / time.Second),
	})
	if err != nil {
		return nil, err
	}
	c.headers = securityHeaders(oidc.Issuer)
	return c, nil
}

// binary reports a type whose body API Gateway must be given base64: all
// but text, scripts and SVG.
func binary(ctype string) bool {
	return !strings.HasPrefix(ctype, "text/") && !strings.Contains(ctype, "javascript") && !strings.Contains(ctype, "svg")
}

// securityHeaders lock the page down: only its own scripts and styles, no
// framing, no referrer, and network access to this origin and the OpenID
// provider's (discovery, the token exchange, the sign-in redirect) alone.
func securityHeaders(issuer string) map[string]string {
	provider := ""
	if u, err := url.Parse(issuer); err == nil && u.Scheme != "" && u.Host != "" {
		provider = " " + u.Scheme + "://" + u.Host
	}
	return map[string]string{
		"Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
			"connect-src 'self'" + provider + "; form-action 'self'" + provider + "; frame-ancestors 'none'; base-uri 'none'",
		"X-Content-Type-Options": "nosniff",
		"Referrer-Policy":        "no-referrer",
		"X-Frame-Options":        "DENY",
	}
}

// Handle serves one request of an HTTP API (payload 2.0).
func (c *Console) Handle(_ context.Context, req events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	switch req.RouteKey {
	case RouteIndex:
		return c.serve(req, "index.html"), nil
	case RouteAsset:
		name := req.PathParameters["file"]
		if name == "config.json" {
			return c.respond(http.StatusOK, "application/json", "no-cache", c.config, false, ""), nil
		}
		if assetName.MatchString(name) && name != "index.html" {
			return c.serve(req, name), nil
		}
	}
	return c.respond(http.StatusNotFound, "text/plain; charset=utf-8", "no-cache", []byte("not found\n"), false, ""), nil
}

// serve answers with a file, or 304 when the browser's copy is current.
// Assets carry no fingerprint in their names, so browsers revalidate each
// (no-cache): a deploy is seen at once, and an unchanged file costs a 304.
func (c *Console) serve(req events.APIGatewayV2HTTPRequest, name string) events.APIGatewayV2HTTPResponse {
	f, ok := c.files[name]
	if !ok {
		return c.respond(http.StatusNotFound, "text/plain; charset=utf-8", "no-cache", []byte("not found\n"), false, "")
	}
	if match := header(req.Headers, "if-none-match"); match != "" && match == f.etag {
		return c.respond(http.StatusNotModified, "", "no-cache", nil, false, f.etag)
	}
	return c.respond(http.StatusOK, f.ctype, "no-cache", f.body, f.binary, f.etag)
}

func (c *Console) respond(status int, ctype, cache string, body []byte, binary bool, etag string) events.APIGatewayV2HTTPResponse {
	h := make(map[string]string, len(c.headers)+3)
	for k, v := range c.headers {
		h[k] = v
	}
	h["Cache-Control"] = cache
	if ctype != "" {
		h["Content-Type"] = ctype
	}
	if etag != "" {
		h["ETag"] = etag
	}
	r := events.APIGatewayV2HTTPResponse{StatusCode: status, Headers: h}
	if binary {
		// An HTTP API passes a binary body base64-encoded
		// (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html).
		r.Body, r.IsBase64Encoded = base64.StdEncoding.EncodeToString(body), true
	} else {
		r.Body = string(body)
	}
	return r
}

// header reads a request header; payload 2.0 lower-cases their names.
func header(h map[string]string, name string) string {
	for k, v := range h {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}

// Lambda is ConsoleFunction on the App: what functions/console runs.
func Lambda(a *app.App) lambda.Handler {
	c, err := New(SettingsOf(a.Config))
	if err != nil {
		// The files are embedded at build, so this does not happen; if it
		// did, every request fails with the cause rather than the process.
		return app.Typed(func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
			return events.APIGatewayV2HTTPResponse{}, err
		})
	}
	return app.Typed(c.Handle)
}
