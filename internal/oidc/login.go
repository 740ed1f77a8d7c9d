package oidc

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"time"
)

var (
	// ErrLoginRefused means the provider refused the user name or password.
	ErrLoginRefused = errors.New("oidc: login refused")
	// ErrUnreachable means no provider answered at the issuer.
	ErrUnreachable = errors.New("oidc: no OpenID Connect provider answers")
)

// maxBody bounds what Login reads of any answer.
const maxBody = 1 << 20

// Login signs user in at the provider as a browser would, through the
// authorization code flow with PKCE (S256) and CLIRedirectURI(issuer), and
// returns the ID token. It checks the state, the issuer of the answer and
// the token's nonce, issuer and audience; it does not check the token's
// signature, which comes straight from the token endpoint it called (OpenID
// Connect Core 3.1.3.7): whoever uses the token verifies it.
func Login(ctx context.Context, issuer, clientID, user, password string) (string, error) {
	issuer = strings.TrimRight(issuer, "/")
	f, err := newFlow(issuer, clientID)
	if err != nil {
		return "", err
	}
	meta, err := f.discover(ctx)
	if err != nil {
		return "", err
	}
	resp, err := f.send(ctx, http.MethodGet, f.authorizeURL(meta.AuthorizationEndpoint), nil)
	if err != nil {
		return "", err
	}
	code, err := f.signIn(ctx, resp, user, password)
	if err != nil {
		return "", err
	}
	return f.exchange(ctx, meta.TokenEndpoint, code)
}

// flow is one sign-in: a browser's cookie jar and the values the answers
// must match.
type flow struct {
	issuer, clientID, redirect string
	state, nonce, verifier     string
	client                     *http.Client
}

func newFlow(issuer, clientID string) (*flow, error) {
	jar, err := cookiejar.New(nil)
	if err != nil {
		return nil, fmt.Errorf("oidc: %w", err)
	}
	f := &flow{
		issuer: issuer, clientID: clientID, redirect: CLIRedirectURI(issuer),
		state: randomString(), nonce: randomString(), verifier: randomString(),
	}
	f.client = &http.Client{
		Jar:     jar,
		Timeout: 30 * time.Second,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			// The code is read from the redirect's Location, as a CLI that
			// never listens on the redirect URI must.
			if f.isCallback(req.URL) {
				return http.ErrUseLastResponse
			}
			if len(via) >= 10 {
				return errors.New("stopped after 10 redirects")
			}
			return nil
		},
	}
	return f, nil
}

// randomString is 256 bits, base64url: good for state, nonce and a PKCE
// verifier (43 characters) alike.
func randomString() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func (f *flow) isCallback(u *url.URL) bool {
	want, err := url.Parse(f.redirect)
	return err == nil && u.Scheme == want.Scheme && u.Host == want.Host && u.Path == want.Path
}

type discovery struct {
	Issuer                string `json:"issuer"`
	AuthorizationEndpoint string `json:"authorization_endpoint"`
	TokenEndpoint         string `json:"token_endpoint"`
}

func (f *flow) discover(ctx context.Context) (discovery, error) {
	var meta discovery
	where := f.issuer + "/.well-known/openid-configuration"
	resp, err := f.send(ctx, http.MethodGet, where, nil)
	if err != nil && ctx.Err() == nil {
		return meta, fmt.Errorf("%w at %s: %v", ErrUnreachable, f.issuer, err)
	}
	if err != nil {
		return meta, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return meta, fmt.Errorf("oidc: GET %s: %s", where, resp.Status)
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxBody)).Decode(&meta); err != nil {
		return meta, fmt.Errorf("oidc: GET %s: %w", where, err)
	}
	if meta.Issuer != f.issuer {
		return meta, fmt.Errorf("oidc: %s names issuer %q, not %q", where, meta.Issuer, f.issuer)
	}
	if meta.AuthorizationEndpoint == "" || meta.TokenEndpoint == "" {
		return meta, fmt.Errorf("oidc: %s lacks the authorization or token endpoint", where)
	}
	return meta, nil
}

func (f *flow) authorizeURL(endpoint string) string {
	challenge := sha256.Sum256([]byte(f.verifier))
	q := url.Values{
		"client_id":             {f.clientID},
		"redirect_uri":          {f.redirect},
		"response_type":         {"code"},
		"scope":                 {"openid profile email"},
		"state":                 {f.state},
		"nonce":                 {f.nonce},
		"code_challenge":        {base64.RawURLEncoding.EncodeToString(challenge[:])},
		"code_challenge_method": {"S256"},
	}
	sep := "?"
	if strings.Contains(endpoint, "?") {
		sep = "&"
	}
	return endpoint + sep + q.Encode()
}

// send makes one request, following redirects up to the callback.
func (f *flow) send(ctx context.Context, method, target string, form url.Values) (*http.Response, error) {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, target, body)
	if err != nil {
		return nil, fmt.Errorf("oidc: %w", err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := f.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("oidc: %s %s: %w", method, target, err)
	}
	return resp, nil
}

// signIn fills and submits the login form resp holds, and returns the code
// of the redirect it leads to.
func (f *flow) signIn(ctx context.Context, resp *http.Response, user, password string) (string, error) {
	if f.isRedirectToCallback(resp) {
		return f.code(resp)
	}
	form, alert, err := readPage(resp)
	if err != nil {
		return "", err
	}
	if form == nil || form.passwordField == "" || form.userField == "" {
		return "", fmt.Errorf("oidc: expected a login form at %s, got %s%s", resp.Request.URL, resp.Status, orAlert(alert))
	}
	form.fields.Set(form.userField, user)
	form.fields.Set(form.passwordField, password)
	if form.method != http.MethodPost {
		return "", fmt.Errorf("oidc: the login form at %s is not submitted by POST", resp.Request.URL)
	}
	action, err := resp.Request.URL.Parse(form.action)
	if err != nil {
		return "", fmt.Errorf("oidc: login form action %q: %w", form.action, err)
	}
	after, err := f.send(ctx, http.MethodPost, action.String(), form.fields)
	if err != nil {
		return "", err
	}
	if f.isRedirectToCallback(after) {
		return f.code(after)
	}
	again, alert, err := readPage(after)
	if err != nil {
		return "", err
	}
	if again != nil && again.passwordField != "" {
		return "", fmt.Errorf("%w for %q at %s%s", ErrLoginRefused, user, f.issuer, orAlert(alert))
	}
	return "", fmt.Errorf("oidc: signing in at %s ended at %s with %s%s", f.issuer, after.Request.URL, after.Status, orAlert(alert))
}

func orAlert(alert string) string {
	if alert == "" {
		return ""
	}
	return ": " + alert
}

func (f *flow) isRedirectToCallback(resp *http.Response) bool {
	if resp.StatusCode < 300 || resp.StatusCode > 399 {
		return false
	}
	loc, err := resp.Location()
	return err == nil && f.isCallback(loc)
}
