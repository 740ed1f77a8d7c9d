package console

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
)

// errProviderDown means the provider's discovery document could not be
// read; the page says so and offers a retry.
var errProviderDown = errors.New("console: the OpenID provider's discovery document cannot be read")

// Endpoints are what the browser needs of the provider to sign in and out,
// read from its discovery document by the function rather than by the
// page: a server-to-server read needs no CORS from the provider, and the
// page's policy can name exactly the origin its token request goes to
// (Cognito's token endpoint is on the user pool's domain, not the issuer's:
// https://docs.aws.amazon.com/cognito/latest/developerguide/federation-endpoints.html).
type Endpoints struct {
	Authorization string `json:"authorization_endpoint"`
	Token         string `json:"token_endpoint"`
	EndSession    string `json:"end_session_endpoint"`
}

// retryDiscovery spaces discovery attempts after a failure, so a provider
// outage costs each request no more than a look at the clock.
const retryDiscovery = 10 * time.Second

// discoveryTimeout bounds one attempt well inside the function's timeout.
const discoveryTimeout = 2 * time.Second

// provider reads and keeps the discovery document, once per container.
type provider struct {
	issuer string
	client *http.Client
	now    func() time.Time

	mu     sync.Mutex
	got    *Endpoints
	failed time.Time
}

// endpoints answers the provider's endpoints, reading the discovery
// document on first use (and again at most every retryDiscovery after a
// failure).
func (p *provider) endpoints(ctx context.Context) (*Endpoints, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.got != nil {
		return p.got, nil
	}
	if !p.failed.IsZero() && p.now().Sub(p.failed) < retryDiscovery {
		return nil, errProviderDown
	}
	e, err := p.discover(ctx)
	if err != nil {
		p.failed = p.now()
		return nil, err
	}
	p.got = e
	return e, nil
}

// known answers the endpoints if they were read, without reading.
func (p *provider) known() *Endpoints {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.got
}

func (p *provider) discover(ctx context.Context) (*Endpoints, error) {
	ctx, cancel := context.WithTimeout(ctx, discoveryTimeout)
	defer cancel()
	// NewProvider checks the document names the issuer asked for
	// (OpenID Connect Discovery 1.0 §4.3).
	prov, err := oidc.NewProvider(oidc.ClientContext(ctx, p.client), p.issuer)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errProviderDown, err)
	}
	var e Endpoints
	if err := prov.Claims(&e); err != nil {
		return nil, fmt.Errorf("%w: %v", errProviderDown, err)
	}
	for name, u := range map[string]string{"authorization_endpoint": e.Authorization, "token_endpoint": e.Token} {
		if !safeURL(u) {
			return nil, fmt.Errorf("%w: %s %q is not an https URL", errProviderDown, name, u)
		}
	}
	if e.EndSession != "" && !safeURL(e.EndSession) {
		e.EndSession = ""
	}
	return &e, nil
}

// safeURL is https, or http on a loopback address (the development
// provider): the browser sends a code and its verifier there.
func safeURL(s string) bool {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.User != nil {
		return false
	}
	if u.Scheme == "https" {
		return true
	}
	host := u.Hostname()
	ip := net.ParseIP(host)
	return u.Scheme == "http" && (host == "localhost" || ip != nil && ip.IsLoopback())
}

// origin is scheme://host[:port] of a URL safeURL accepted.
func origin(s string) string {
	u, _ := url.Parse(s)
	return u.Scheme + "://" + u.Host
}
