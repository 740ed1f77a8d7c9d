package oidc_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"github.com/golang-jwt/jwt/v5"
	"github.com/keymint/keymint/internal/oidc"
	"github.com/keymint/keymint/internal/oidc/oidctest"
)

func newLocalDir(t *testing.T) string { return oidctest.LocalDir(t) }

func start(t *testing.T, local string, port int) *oidc.Provider {
	t.Helper()
	return oidctest.Start(t, oidc.Options{LocalDir: local, Port: port})
}

type idClaims struct {
	PreferredUsername string   `json:"preferred_username"`
	Email             string   `json:"email"`
	EmailVerified     bool     `json:"email_verified"`
	Groups            []string `json:"groups"`
	Nonce             string   `json:"nonce"`
}

func verifier(t *testing.T, p *oidc.Provider) *gooidc.IDTokenVerifier {
	t.Helper()
	prov, err := gooidc.NewProvider(context.Background(), p.Issuer())
	if err != nil {
		t.Fatal(err)
	}
	return prov.Verifier(&gooidc.Config{ClientID: p.ClientID()})
}

func TestProvider(t *testing.T) {
	local := newLocalDir(t)
	p := start(t, local, 0)
	ctx := context.Background()
	v := verifier(t, p)
	if p.ClientID() != oidc.DefaultClientID || !strings.HasPrefix(p.Issuer(), "http://127.0.0.1:") {
		t.Fatalf("issuer %q, client %q", p.Issuer(), p.ClientID())
	}

	t.Run("discovery and keys", func(t *testing.T) {
		var meta struct {
			Issuer     string   `json:"issuer"`
			JWKSURI    string   `json:"jwks_uri"`
			PKCE       []string `json:"code_challenge_methods_supported"`
			IDTokenAlg []string `json:"id_token_signing_alg_values_supported"`
		}
		getJSON(t, p.Issuer()+"/.well-known/openid-configuration", &meta)
		if meta.Issuer != p.Issuer() || !slices.Equal(meta.PKCE, []string{"S256"}) || !slices.Contains(meta.IDTokenAlg, "RS256") {
			t.Errorf("discovery: %+v", meta)
		}
		var set struct {
			Keys []map[string]any `json:"keys"`
		}
		getJSON(t, meta.JWKSURI, &set)
		_, kid, err := oidc.SigningKey(local)
		if err != nil {
			t.Fatal(err)
		}
		if len(set.Keys) != 1 || set.Keys[0]["kid"] != kid {
			t.Fatalf("jwks %v, want the one key %s", set.Keys, kid)
		}
		for _, private := range []string{"d", "p", "q", "dp", "dq", "qi"} {
			if _, ok := set.Keys[0][private]; ok {
				t.Errorf("the published key has its private member %q", private)
			}
		}
		fi, err := os.Stat(oidc.JWKSFile(local))
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v, %v; want mode 0600", oidc.JWKSFile(local), fi.Mode(), err)
		}
	})

	for _, u := range oidc.DevUsers() {
		t.Run("login "+u.Name, func(t *testing.T) {
			raw, err := oidc.Login(ctx, p.Issuer(), p.ClientID(), u.Name, u.Password)
			if err != nil {
				t.Fatal(err)
			}
			tok, err := v.Verify(ctx, raw)
			if err != nil {
				t.Fatal(err)
			}
			var c idClaims
			if err := tok.Claims(&c); err != nil {
				t.Fatal(err)
			}
			wantGroups := []string{}
			if u.Name == "root" {
				wantGroups = []string{"keymint-admins"}
			}
			if tok.Issuer != p.Issuer() || !slices.Equal(tok.Audience, []string{oidc.DefaultClientID}) || tok.Subject != u.Name ||
				c.PreferredUsername != u.Name || c.Email != u.Name+"@example.test" || !c.EmailVerified ||
				c.Groups == nil || !slices.Equal(c.Groups, wantGroups) || c.Nonce == "" {
				t.Errorf("token %+v, claims %+v", tok, c)
			}
			if life := tok.Expiry.Sub(tok.IssuedAt); life != time.Hour {
				t.Errorf("ID token lasts %s, want 1h", life)
			}
		})
	}

	t.Run("wrong password", func(t *testing.T) {
		for _, who := range [][2]string{{"alice", "bob"}, {"alice", ""}, {"mallory", "mallory"}} {
			_, err := oidc.Login(ctx, p.Issuer(), p.ClientID(), who[0], who[1])
			if !errors.Is(err, oidc.ErrLoginRefused) || !strings.Contains(err.Error(), "Wrong user name or password") {
				t.Errorf("%s/%q: err = %v, want the login refused", who[0], who[1], err)
			}
		}
	})

	t.Run("unknown client", func(t *testing.T) {
		if _, err := oidc.Login(ctx, p.Issuer(), "someone-else", "alice", "alice"); err == nil {
			t.Error("a login for an unregistered client succeeded")
		}
	})

	t.Run("PKCE S256 required", func(t *testing.T) {
		noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		base := p.Issuer() + "/auth?client_id=" + oidc.DefaultClientID + "&response_type=code&scope=openid&state=s&nonce=n&redirect_uri=" +
			oidc.CLIRedirectURI(p.Issuer())
		for _, extra := range []string{"", "&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=plain"} {
			resp, err := noRedirect.Get(base + extra)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			loc, _ := resp.Location()
			if loc == nil || loc.Query().Get("error") != "invalid_request" {
				t.Errorf("authorization without S256 PKCE (%q): %s, Location %v; want error=invalid_request", extra, resp.Status, loc)
			}
		}
	})

	t.Run("login page", func(t *testing.T) {
		// Labelled inputs, a language, the development notice: what a
		// screen reader and a keyboard user need.
		q := "/auth?client_id=" + oidc.DefaultClientID + "&response_type=code&scope=openid&state=s&nonce=n&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256&redirect_uri=" + oidc.CLIRedirectURI(p.Issuer())
		jar, _ := cookiejar.New(nil)
		resp, err := (&http.Client{Jar: jar}).Get(p.Issuer() + q)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		page := string(body)
		for _, want := range []string{`<html lang="en">`, `<label for="login">`, `id="login"`, `<label for="password">`, `id="password"`,
			`type="password"`, `autocomplete="username"`, `<button type="submit">`, "Development only", "granted automatically"} {
			if !strings.Contains(page, want) {
				t.Errorf("login page lacks %s", want)
			}
		}
		if resp.StatusCode != http.StatusOK || strings.Contains(page, "tabindex") {
			t.Errorf("login page: %s (no tabindex expected: the natural order is the order of the form)", resp.Status)
		}
	})

	t.Run("tokens signed with SigningKey", func(t *testing.T) {
		key, kid, err := oidc.SigningKey(local)
		if err != nil {
			t.Fatal(err)
		}
		other, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name string
			key  *rsa.PrivateKey
			ok   bool
		}{{"the provider's key", key, true}, {"another key", other, false}} {
			raw := sign(t, tc.key, kid, p.Issuer(), p.ClientID(), "crafted")
			tok, err := v.Verify(ctx, raw)
			if tc.ok && (err != nil || tok.Subject != "crafted") {
				t.Errorf("%s: %v", tc.name, err)
			}
			if !tc.ok && err == nil {
				t.Errorf("%s: a token signed with it verifies", tc.name)
			}
		}
	})
}

func sign(t *testing.T, key *rsa.PrivateKey, kid, issuer, aud, sub string) string {
	t.Helper()
	now := time.Now()
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims{
		"iss": issuer, "aud": aud, "sub": sub, "iat": now.Unix(), "exp": now.Add(time.Hour).Unix(),
		"groups": []string{oidc.AdminGroup},
	})
	tok.Header["kid"] = kid
	raw, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func getJSON(t *testing.T, url string, into any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", url, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(into); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
}

// TestTokensOutliveARestart: the key is kept, so a token from one run of
// the provider verifies against the next on the same port.
func TestTokensOutliveARestart(t *testing.T) {
	local := newLocalDir(t)
	first, err := oidc.Start(context.Background(), oidc.Options{LocalDir: local})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := oidc.Login(context.Background(), first.Issuer(), first.ClientID(), "root", "root")
	if err != nil {
		_ = first.Stop()
		t.Fatal(err)
	}
	if err := first.Stop(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-first.Done():
	default:
		t.Fatal("Done not closed after Stop")
	}
	if _, err := oidc.Login(context.Background(), first.Issuer(), first.ClientID(), "root", "root"); !errors.Is(err, oidc.ErrUnreachable) {
		t.Fatalf("login at a stopped provider: %v, want ErrUnreachable", err)
	}
	port, err := strconv.Atoi(strings.TrimPrefix(first.Issuer(), "http://127.0.0.1:"))
	if err != nil {
		t.Fatal(err)
	}
	second := start(t, local, port)
	if second.Issuer() != first.Issuer() {
		t.Fatalf("issuer %s, want %s", second.Issuer(), first.Issuer())
	}
	if _, err := verifier(t, second).Verify(context.Background(), raw); err != nil {
		t.Fatalf("a token from before the restart: %v", err)
	}
}
