package validate_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/go-jose/go-jose/v4"
	"github.com/keymint/keymint/internal/testkit"
	"github.com/keymint/keymint/shared/app/validatefn"
	"github.com/keymint/keymint/shared/store"
	"github.com/keymint/keymint/shared/validate"
)

// personFixture is an App that trusts a test issuer, with the shipped
// scope catalogue (keymint's management routes).
type personFixture struct {
	*testkit.App
	is *testkit.Issuer
	v  *validate.Validator
}

func newPersonFixture(t *testing.T) *personFixture {
	t.Helper()
	return newPersonFixtureWith(t, nil)
}

// newPersonFixtureWith is newPersonFixture with env over the issuer's.
func newPersonFixtureWith(t *testing.T, env testkit.Env) *personFixture {
	t.Helper()
	is := testkit.NewIssuer(t)
	all := is.Env()
	for k, v := range env {
		all[k] = v
	}
	a := testkit.NewApp(t, all)
	return &personFixture{App: a, is: is,
		v: validate.NewValidator(a.Store, a.Keyring, a.Catalogue, a.Clock, validatefn.Options(a.App), a.Log)}
}

func (f *personFixture) check(t *testing.T, jwt, method, path string) validate.Status {
	t.Helper()
	d, err := f.v.CheckPerson(context.Background(), validate.Request{Token: jwt, Method: method, Path: path, SourceIP: "192.0.2.1"})
	if err != nil {
		t.Fatalf("CheckPerson: %v", err)
	}
	return d.Status
}

// unsigned is a JWT with alg none.
func unsigned(claims map[string]any) string {
	h, _ := json.Marshal(map[string]string{"alg": "none", "typ": "JWT"})
	p, _ := json.Marshal(claims)
	enc := base64.RawURLEncoding
	return enc.EncodeToString(h) + "." + enc.EncodeToString(p) + "."
}

// Every way an ID token can be wrong is refused, each for its reason; a
// good one is accepted within the skew allowance and only for the routes
// its scopes open.
func TestIDTokensVerifiedAsOIDCRequires(t *testing.T) {
	t.Parallel()
	f := newPersonFixture(t)
	now := f.Clock.Now()
	good := f.is.Claims("alice", now)
	with := func(k string, v any) map[string]any {
		c := f.is.Claims("alice", now)
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
		return c
	}
	other, _ := rsa.GenerateKey(rand.Reader, 2048)
	pub, _ := x509.MarshalPKIXPublicKey(&f.is.Key.PublicKey)
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub})
	root := f.is.Claims("root", now)
	root["groups"] = []string{"keymint-admins", "staff"}

	cases := []struct {
		name         string
		jwt          string
		method, path string
		want         validate.Status
	}{
		{"valid", f.is.Sign(t, good), "GET", "/tokens", validate.Valid},
		{"valid, write route", f.is.Sign(t, good), "POST", "/tokens", validate.Valid},
		{"valid, admin route refused", f.is.Sign(t, good), "GET", "/owners", validate.ScopeDenied},
		{"valid, a customer's route refused", f.is.Sign(t, good), "GET", "/orders", validate.ScopeDenied},
		{"admin group", f.is.Sign(t, root), "GET", "/owners", validate.Valid},
		{"wrong issuer", f.is.Sign(t, with("iss", "https://evil.example")), "GET", "/tokens", validate.InvalidIDToken},
		{"wrong audience", f.is.Sign(t, with("aud", "someone-else")), "GET", "/tokens", validate.InvalidIDToken},
		{"expired", f.is.Sign(t, with("exp", now.Add(-time.Hour).Unix())), "GET", "/tokens", validate.Expired},
		{"expired within the skew", f.is.Sign(t, with("exp", now.Add(-10*time.Second).Unix())), "GET", "/tokens", validate.Valid},
		{"no exp", f.is.Sign(t, with("exp", nil)), "GET", "/tokens", validate.Expired},
		{"not yet valid", f.is.Sign(t, with("nbf", now.Add(time.Hour).Unix())), "GET", "/tokens", validate.InvalidIDToken},
		{"nbf within the skew", f.is.Sign(t, with("nbf", now.Add(10*time.Second).Unix())), "GET", "/tokens", validate.Valid},
		{"alg none", unsigned(good), "GET", "/tokens", validate.InvalidIDToken},
		{"HS256 keyed with the public key", testkit.SignJWT(t, jose.HS256, pubPEM, f.is.KeyID, good), "GET", "/tokens", validate.InvalidIDToken},
		{"another key, the issuer's kid", testkit.SignJWT(t, jose.RS256, other, f.is.KeyID, good), "GET", "/tokens", validate.InvalidIDToken},
		{"unknown kid", testkit.SignJWT(t, jose.RS256, other, "not-published", good), "GET", "/tokens", validate.InvalidIDToken},
		{"no owner claim", f.is.Sign(t, with("sub", nil)), "GET", "/tokens", validate.InvalidIDToken},
		{"owner claim not an owner", f.is.Sign(t, with("sub", "alice smith")), "GET", "/tokens", validate.InvalidIDToken},
		{"tampered payload", strings.Replace(f.is.Sign(t, good), ".", ".e30", 1), "GET", "/tokens", validate.InvalidIDToken},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := f.check(t, c.jwt, c.method, c.path); got != c.want {
				t.Fatalf("status %s, want %s", got, c.want)
			}
		})
	}
}

// A provider that cannot be reached is a fault (fail closed, answered as an
// error), and is not asked again for a while.
func TestProviderDownFailsClosed(t *testing.T) {
	t.Parallel()
	f := newPersonFixture(t)
	f.is.Down.Store(true)
	jwt := f.is.Sign(t, f.is.Claims("alice", f.Clock.Now()))
	for range 2 {
		if d, err := f.v.CheckPerson(context.Background(), validate.Request{Token: jwt, Method: "GET", Path: "/tokens"}); err == nil {
			t.Fatalf("provider down answered %s, want an error", d.Status)
		}
	}
	f.is.Down.Store(false)
	if _, err := f.v.CheckPerson(context.Background(), validate.Request{Token: jwt, Method: "GET", Path: "/tokens"}); err == nil {
		t.Fatal("within the retry back-off, discovery was tried again")
	}
	f.Clock.Advance(11 * time.Second)
	if got := f.check(t, jwt, "GET", "/tokens"); got != validate.Valid {
		t.Fatalf("after the back-off: %s", got)
	}
}

// A disabled owner's people are refused as its tokens are.
func TestDisabledOwnersPeopleRefused(t *testing.T) {
	t.Parallel()
	f := newPersonFixture(t)
	if _, err := f.Service().SetOwnerStatus(context.Background(), ops, "mallory", store.OwnerDisabled, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if got := f.check(t, f.is.Sign(t, f.is.Claims("mallory", f.Clock.Now())), "GET", "/tokens"); got != validate.OwnerDisabled {
		t.Fatalf("status %s, want owner_disabled", got)
	}
}

// Through the authorizer: an ID token is honoured only on keymint's
// management API (its stage variable), and the answer names a person, not a
// token.
func TestIDTokenOnlyOnTheManagementAPI(t *testing.T) {
	t.Parallel()
	f := newPersonFixture(t)
	h := validatefn.Lambda(f.App.App)
	jwt := f.is.Sign(t, f.is.Claims("alice", f.Clock.Now()))
	ev := func(management bool) []byte {
		raw := sample(t, "http-v2.json", jwt)
		raw = bytes.Replace(raw, []byte(`"routeKey": "$default"`), []byte(`"routeKey": "GET /tokens"`), 1)
		raw = bytes.Replace(raw, []byte(`"rawPath": "/my/path"`), []byte(`"rawPath": "/tokens"`), 1)
		if management {
			raw = bytes.Replace(raw, []byte(`"stageVariables": {`), []byte(`"stageVariables": {"keymint": "management", `), 1)
		}
		return raw
	}
	got, err := invoke[events.APIGatewayV2CustomAuthorizerSimpleResponse](t, h, ev(true))
	if err != nil || !got.IsAuthorized {
		t.Fatalf("management API: %+v %v", got, err)
	}
	if got.Context["kind"] != "user" || got.Context["owner"] != "alice" || got.Context["tokenId"] != nil || got.Context["scopes"] != "tokens:read tokens:write" {
		t.Fatalf("context %v", got.Context)
	}
	if got, err := invoke[events.APIGatewayV2CustomAuthorizerSimpleResponse](t, h, ev(false)); err != nil || got.IsAuthorized {
		t.Fatalf("another API (no stage variable) accepted an ID token: %+v %v", got, err)
	}
}

// Sign-in off: an ID token is just not a keymint token.
func TestIDTokenRefusedWithoutSignIn(t *testing.T) {
	t.Parallel()
	is := testkit.NewIssuer(t)
	a := testkit.NewApp(t, nil)
	v := validate.NewValidator(a.Store, a.Keyring, a.Catalogue, a.Clock, validatefn.Options(a.App), a.Log)
	d, err := v.CheckPerson(context.Background(), validate.Request{Token: is.Sign(t, is.Claims("alice", a.Clock.Now())), Method: "GET", Path: "/tokens"})
	if err != nil || d.Status != validate.Malformed {
		t.Fatalf("status %s err %v, want malformed", d.Status, err)
	}
	if is.JWKSFetches.Load() != 0 {
		t.Fatal("sign-in off fetched the issuer's keys")
	}
}

// An address names a person only once the provider verified it.
func TestEmailClaimNeedsVerification(t *testing.T) {
	t.Parallel()
	is := testkit.NewIssuer(t)
	env := is.Env()
	env["OIDC_OWNER_CLAIM"] = "email"
	a := testkit.NewApp(t, env)
	v := validate.NewValidator(a.Store, a.Keyring, a.Catalogue, a.Clock, validatefn.Options(a.App), a.Log)
	for _, c := range []struct {
		verified any
		want     validate.Status
	}{{true, validate.Valid}, {false, validate.InvalidIDToken}, {nil, validate.InvalidIDToken}, {"true", validate.InvalidIDToken}} {
		claims := is.Claims("sub-1", a.Clock.Now())
		claims["email"] = "alice@example.com"
		if c.verified != nil {
			claims["email_verified"] = c.verified
		}
		d, err := v.CheckPerson(context.Background(), validate.Request{Token: is.Sign(t, claims), Method: "GET", Path: "/tokens"})
		if err != nil || d.Status != c.want {
			t.Fatalf("email_verified %v: %s %v, want %s", c.verified, d.Status, err, c.want)
		}
	}
}
