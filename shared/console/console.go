package console

import (
	"context"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io/fs"
	"log/slog"
	"net/http"
	"path"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/keymint/keymint/shared/signin"
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
	files  map[string]file
	config Config
	prov   *provider // nil when sign-in is off
	log    *slog.Logger
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
	// LastUsedIntervalSeconds is how stale "last used" and per-address
	// counts may be: validate writes a token's use at most this often
	// (LAST_USED_INTERVAL), so the page says so beside them.
	LastUsedIntervalSeconds int64 `json:"lastUsedIntervalSeconds"`
	// SingleTokenPerOwner is the deployment's SINGLE_TOKEN_PER_OWNER: an
	// admin issuing for another owner is warned of the revocations it
	// brings (GET /whoami says it for the caller's own owner).
	SingleTokenPerOwner bool `json:"singleTokenPerOwner"`
	// The provider's endpoints, from its discovery document.
	AuthorizationEndpoint string `json:"authorizationEndpoint,omitempty"`
	TokenEndpoint         string `json:"tokenEndpoint,omitempty"`
	EndSessionEndpoint    string `json:"endSessionEndpoint,omitempty"`
}

// Settings are the deployment's settings the console shows, and what it
// reads the provider's discovery document with.
type Settings struct {
	OIDC            signin.OIDC
	DefaultLifetime time.Duration
	MaxLifetime     time.Duration
	MaxGrace        time.Duration
	// LastUsedInterval and SingleToken are the deployment's
	// LAST_USED_INTERVAL and SINGLE_TOKEN_PER_OWNER (shared/config).
	LastUsedInterval time.Duration
	SingleToken      bool
	Client           *http.Client     // default: 5 s timeout
	Log              *slog.Logger     // default: discard
	Now              func() time.Time // default: time.Now
}

// New reads the embedded files and builds the answers' headers for the
// configured provider.
func New(s Settings) (*Console, error) {
	oidc := s.OIDC
	if s.Client == nil {
		s.Client = &http.Client{Timeout: 5 * time.Second}
	}
	if s.Log == nil {
		s.Log = slog.New(slog.DiscardHandler)
	}
	if s.Now == nil {
		s.Now = time.Now
	}
	c := &Console{files: map[string]file{}, log: s.Log}
	if oidc.On() {
		c.prov = &provider{issuer: oidc.Issuer, client: s.Client, now: s.Now}
	}
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
	c.config = Config{
		Issuer: oidc.Issuer, ClientID: oidc.Audience, Scopes: "openid profile email", SignIn: oidc.On(),
		DefaultLifetimeDays: int(s.DefaultLifetime / day), MaxLifetimeDays: int(s.MaxLifetime / day),
		MaxGraceSeconds:         int64(s.MaxGrace / time.Second),
		LastUsedIntervalSeconds: int64(s.LastUsedInterval / time.Second),
		SingleTokenPerOwner:     s.SingleToken,
	}
	return c, nil
}

// binary reports a type whose body API Gateway must be given base64: all
// but text, scripts and SVG.
func binary(ctype string) bool {
	return !strings.HasPrefix(ctype, "text/") && !strings.Contains(ctype, "javascript") && !strings.Contains(ctype, "svg")
}

// securityHeaders lock the page down: only its own scripts and styles, no
// framing, no referrer, and network access to this origin and the
// provider's token endpoint (the one cross-origin call the page makes)
// alone. Sign-in and sign-out are navigations, which no directive limits.
func securityHeaders(e *Endpoints) map[string]string {
	connect := "'self'"
	if e != nil {
		connect += " " + origin(e.Token)
	}
	return map[string]string{
		"Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
			"connect-src " + connect + "; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
		"X-Content-Type-Options": "nosniff",
		"Referrer-Policy":        "no-referrer",
		"X-Frame-Options":        "DENY",
	}
}

// Handle serves one request of an HTTP API (payload 2.0).
func (c *Console) Handle(ctx context.Context, req events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	switch req.RouteKey {
	case RouteIndex:
		// The page's policy must name the token endpoint's origin, so the
		// provider is read before the page is served (once per container).
		e, err := c.endpoints(ctx)
		if err != nil {
			e = nil
		}
		return c.serve(req, "index.html", e), nil
	case RouteAsset:
		name := req.PathParameters["file"]
		if name == "config.json" {
			return c.configJSON(ctx), nil
		}
		if assetName.MatchString(name) && name != "index.html" {
			return c.serve(req, name, c.knownEndpoints()), nil
		}
	}
	return c.respond(http.StatusNotFound, "text/plain; charset=utf-8", "no-cache", []byte("not found\n"), false, "", c.knownEndpoints()), nil
}

// endpoints reads the provider's endpoints (nil, nil with sign-in off).
func (c *Console) endpoints(ctx context.Context) (*Endpoints, error) {
	if c.prov == nil {
		return nil, nil
	}
	e, err := c.prov.endpoints(ctx)
	if err != nil {
		// The cause is for the log; the page only says the provider is down.
		c.log.WarnContext(ctx, "console: cannot read the OpenID provider's discovery document", "issuer", c.prov.issuer, "error", err)
	}
	return e, err
}

func (c *Console) knownEndpoints() *Endpoints {
	if c.prov == nil {
		return nil
	}
	return c.prov.known()
}

// configJSON answers what the page signs in with; 503 problem+json while
// the provider cannot be read.
func (c *Console) configJSON(ctx context.Context) events.APIGatewayV2HTTPResponse {
	e, err := c.endpoints(ctx)
	if err != nil {
		body, _ := json.Marshal(map[string]any{
			"type": "https://keymint.dev/problems/unavailable", "title": "Service Unavailable", "status": http.StatusServiceUnavailable,
			"detail": "The sign-in provider cannot be reached just now. Try again in a moment.", "instance": "/console/config.json",
		})
		r := c.respond(http.StatusServiceUnavailable, "application/problem+json", "no-store", body, false, "", nil)
		r.Headers["Retry-After"] = strconv.Itoa(int(retryDiscovery / time.Second))
		return r
	}
	cfg := c.config
	if e != nil {
		cfg.AuthorizationEndpoint, cfg.TokenEndpoint, cfg.EndSessionEndpoint = e.Authorization, e.Token, e.EndSession
	}
	body, _ := json.Marshal(cfg) // plain strings and numbers: cannot fail
	return c.respond(http.StatusOK, "application/json", "no-cache", body, false, "", e)
}

// serve answers with a file, or 304 when the browser's copy is current.
// Assets carry no fingerprint in their names, so browsers revalidate each
// (no-cache): a deploy is seen at once, and an unchanged file costs a 304.
func (c *Console) serve(req events.APIGatewayV2HTTPRequest, name string, e *Endpoints) events.APIGatewayV2HTTPResponse {
	f, ok := c.files[name]
	if !ok {
		return c.respond(http.StatusNotFound, "text/plain; charset=utf-8", "no-cache", []byte("not found\n"), false, "", e)
	}
	if match := header(req.Headers, "if-none-match"); match != "" && match == f.etag {
		return c.respond(http.StatusNotModified, "", "no-cache", nil, false, f.etag, e)
	}
	return c.respond(http.StatusOK, f.ctype, "no-cache", f.body, f.binary, f.etag, e)
}

func (c *Console) respond(status int, ctype, cache string, body []byte, binary bool, etag string, e *Endpoints) events.APIGatewayV2HTTPResponse {
	h := securityHeaders(e)
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
