package idtoken_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/keymint/keymint/internal/testkit"
	"github.com/keymint/keymint/shared/clock"
	"github.com/keymint/keymint/shared/signin"
	"github.com/keymint/keymint/shared/signin/idtoken"
)

// fixture is a Verifier trusting a test issuer, on a manual clock.
type fixture struct {
	is    *testkit.Issuer
	clock *clock.Manual
	v     *idtoken.Verifier
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	is := testkit.NewIssuer(t)
	clk := clock.NewManual(testkit.Start)
	cfg := signin.OIDC{Issuer: is.URL, Audience: is.Audience, OwnerClaim: "sub", AdminClaim: "groups", AdminValue: "keymint-admins"}
	return &fixture{is: is, clock: clk, v: idtoken.New(cfg, clk, slog.New(slog.DiscardHandler))}
}

// Verify names the person a good token is for, and says why a bad one is
// refused; a provider it cannot reach is a fault, neither of the two.
func TestVerify(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	now := f.clock.Now()
	admin := f.is.Claims("root", now)
	admin["groups"] = []string{"staff", "keymint-admins"}
	expired := f.is.Claims("alice", now)
	expired["exp"] = now.Add(-time.Hour).Unix()
	other, _ := rsa.GenerateKey(rand.Reader, 2048)
	cases := []struct {
		name string
		jwt  string
		want idtoken.Person
		err  error
	}{
		{"person", f.is.Sign(t, f.is.Claims("alice", now)), idtoken.Person{Owner: "alice", Expires: now.Add(time.Hour)}, nil},
		{"admin", f.is.Sign(t, admin), idtoken.Person{Owner: "root", Admin: true, Expires: now.Add(time.Hour)}, nil},
		{"expired", f.is.Sign(t, expired), idtoken.Person{}, idtoken.ErrExpired},
		{"another key", testkit.SignJWT(t, jose.RS256, other, f.is.KeyID, f.is.Claims("alice", now)), idtoken.Person{}, idtoken.ErrRefused},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := f.v.Verify(context.Background(), c.jwt, now)
			if !errors.Is(err, c.err) || (c.err == nil && err != nil) {
				t.Fatalf("error %v, want %v", err, c.err)
			}
			if got.Owner != c.want.Owner || got.Admin != c.want.Admin || !got.Expires.Equal(c.want.Expires) {
				t.Fatalf("person %+v, want %+v", got, c.want)
			}
		})
	}

	down := newFixture(t)
	down.is.Down.Store(true)
	_, err := down.v.Verify(context.Background(), down.is.Sign(t, down.is.Claims("alice", now)), now)
	if !errors.Is(err, idtoken.ErrDiscovery) {
		t.Fatalf("provider down: %v, want ErrDiscovery", err)
	}
}

// Made-up key ids cannot make the verifier hammer the provider: the key set
// is fetched again at most once a minute.
func TestUnknownKeyIDRefetchesAtMostOncePerMinute(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	other, _ := rsa.GenerateKey(rand.Reader, 2048)
	claims := f.is.Claims("alice", f.clock.Now())
	if _, err := f.v.Verify(context.Background(), f.is.Sign(t, claims), f.clock.Now()); err != nil {
		t.Fatalf("good token: %v", err)
	}
	for i := range 5 {
		claims["jti"] = i // a new token each time
		if _, err := f.v.Verify(context.Background(), testkit.SignJWT(t, jose.RS256, other, "kid-"+string(rune('a'+i)), claims), f.clock.Now()); !errors.Is(err, idtoken.ErrRefused) {
			t.Fatalf("unknown kid: %v", err)
		}
	}
	if n := f.is.JWKSFetches.Load(); n != 1 {
		t.Fatalf("%d key set fetches within a minute, want 1", n)
	}
	f.clock.Advance(2 * time.Minute)
	claims["jti"] = "later"
	_, _ = f.v.Verify(context.Background(), testkit.SignJWT(t, jose.RS256, other, "kid-later", claims), f.clock.Now())
	if n := f.is.JWKSFetches.Load(); n != 2 {
		t.Fatalf("%d key set fetches after a minute, want 2", n)
	}
}
