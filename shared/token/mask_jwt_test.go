package token_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"github.com/go-jose/go-jose/v4"
	"github.com/keymint/keymint/shared/token"
)

// signed is a real JWS in compact form, as providers issue ID tokens.
func signed(t *testing.T, alg jose.SignatureAlgorithm, key any, claims map[string]any) string {
	t.Helper()
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: key}, (&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", "k1"))
	if err != nil {
		t.Fatal(err)
	}
	payload, _ := json.Marshal(claims)
	jws, err := signer.Sign(payload)
	if err != nil {
		t.Fatal(err)
	}
	out, err := jws.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// unsecured is a JWT with alg none and an empty signature (RFC 7519 §6).
func unsecured(header string, claims map[string]any) string {
	p, _ := json.Marshal(claims)
	enc := base64.RawURLEncoding
	return enc.EncodeToString([]byte(header)) + "." + enc.EncodeToString(p) + "."
}

// Anything shaped like a JWT loses its payload and signature wherever it
// sits (a path, a route, a query, an error text); dotted text that is not
// one is left as it is.
func TestMaskJWTs(t *testing.T) {
	t.Parallel()
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	ecKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	claims := map[string]any{"iss": "https://id.example.test", "sub": "alice", "aud": "console", "email": "alice@example.test", "exp": 2000000000}
	jwts := map[string]string{
		"RS256":          signed(t, jose.RS256, rsaKey, claims),
		"ES256":          signed(t, jose.ES256, ecKey, claims),
		"alg none":       unsecured(`{"alg":"none","typ":"JWT"}`, claims),
		"spaced header":  unsecured(`{ "alg" : "none" }`, claims),
		"minimal header": unsecured(`{}`, map[string]any{"sub": "x"}),
	}
	tok := token.Token{Prefix: "kmt", ID: "0123456789ABCDEF", Secret: "GHIJKLMNOPQRSTUVWXYZabcdefghijkl"}.String()
	for name, jwt := range jwts {
		header, rest, _ := strings.Cut(jwt, ".")
		masked := header + ".[REDACTED]"
		cases := []struct{ in, want string }{
			{jwt, masked},
			{"GET /tokens/" + jwt + "/usage", "GET /tokens/" + masked + "/usage"},
			{"/logout?id_token_hint=" + jwt + "&client_id=c", "/logout?id_token_hint=" + masked + "&client_id=c"},
			{"Bearer " + jwt, "Bearer " + masked},
			{`{"route":"GET /x/` + jwt + `"}`, `{"route":"GET /x/` + masked + `"}`},
			{jwt + " " + jwt, masked + " " + masked},
			{jwt + "/" + tok, masked + "/kmt_0123456789ABCDEF_[REDACTED]"},
		}
		for _, c := range cases {
			got := token.Mask(c.in)
			if got != c.want {
				t.Errorf("%s: Mask(%q)\n = %q\nwant %q", name, c.in, got, c.want)
			}
			if strings.Contains(got, rest) {
				t.Errorf("%s: payload and signature survived in %q", name, got)
			}
		}
	}
}

// Dotted text that is not a JWT comes back as it is, without allocating.
func TestMaskLeavesDottedTextAlone(t *testing.T) {
	for _, s := range []string{
		"v1.2.3", "1.2.3", "10.0.0.1", "2001:db8::1", "api.example.test", "keymint.auth.eu-west-1.amazoncognito.com",
		"alice@example.test", "first.last@mail.example.co.uk", "archive.tar.gz", "GET /orders/1.2/items.json",
		"a.b.c", "e30.e30", "e30..x", "eyJ.eyJ.eyJ", "eyJhbGciOiJub25lIn0", "eyJhbGciOiJub25lIn0.", "..", "...",
		"github.com/keymint/keymint/shared/token.Mask", "snake_case.words.here",
	} {
		if got := token.Mask(s); got != s {
			t.Errorf("Mask(%q) = %q, want it unchanged", s, got)
		}
		if n := testing.AllocsPerRun(50, func() { _ = token.Mask(s) }); n != 0 {
			t.Errorf("Mask(%q) allocates %v times", s, n)
		}
	}
}

// The handler masks a JWT in the message, an attribute, an error and a
// group, as it does tokens.
func TestMaskingHandlerMasksJWTs(t *testing.T) {
	t.Parallel()
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	jwt := signed(t, jose.RS256, rsaKey, map[string]any{"sub": "alice", "email": "alice@example.test"})
	payload := strings.Split(jwt, ".")[1]
	var buf bytes.Buffer
	log := slog.New(token.Masking(slog.NewJSONHandler(&buf, nil))).With("path", "/tokens/"+jwt)
	log.Info("bad "+jwt, "error", errString("verify "+jwt+" failed"), slog.Group("g", "route", "GET /"+jwt))
	out := buf.String()
	if strings.Contains(out, payload) {
		t.Fatalf("a JWT's payload reached the log: %s", out)
	}
	if n := strings.Count(out, ".[REDACTED]"); n != 4 {
		t.Fatalf("want the JWT masked in message, attribute, error and group (4), got %d: %s", n, out)
	}
}

type errString string

func (e errString) Error() string { return string(e) }

// Masking is idempotent and never panics, whatever the text.
func FuzzMask(f *testing.F) {
	f.Add("GET /tokens/eyJhbGciOiJub25lIn0.eyJzdWIiOiJhIn0./usage")
	f.Add("kmt_0123456789ABCDEF_GHIJKLMNOPQRSTUVWXYZabcdefghijkl")
	f.Add("v1.2.3 api.example.test e30.e30.")
	f.Fuzz(func(t *testing.T, s string) {
		once := token.Mask(s)
		if twice := token.Mask(once); twice != once {
			t.Fatalf("Mask is not idempotent: %q -> %q -> %q", s, once, twice)
		}
	})
}
