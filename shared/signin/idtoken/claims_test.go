package idtoken_test

import (
	"context"
	"errors"
	"log/slog"
	"testing"

	"github.com/keymint/keymint/internal/testkit"
	"github.com/keymint/keymint/shared/clock"
	"github.com/keymint/keymint/shared/signin"
	"github.com/keymint/keymint/shared/signin/idtoken"
)

// A token for several audiences must name keymint as its authorized party
// (azp), and an azp present must be keymint's (OpenID Connect Core 1.0
// §3.1.3.7).
func TestAuthorizedParty(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	aud := f.is.Audience
	cases := []struct {
		name string
		aud  any
		azp  any // nil: no azp claim
		err  error
	}{
		{"one audience, no azp", aud, nil, nil},
		{"one audience in a list, no azp", []string{aud}, nil, nil},
		{"one audience, azp this client", aud, aud, nil},
		{"one audience, azp another client", aud, "reports-app", idtoken.ErrRefused},
		{"several audiences, azp this client", []string{"reports-app", aud}, aud, nil},
		{"several audiences, no azp", []string{aud, "reports-app"}, nil, idtoken.ErrRefused},
		{"several audiences, azp another client", []string{aud, "reports-app"}, "reports-app", idtoken.ErrRefused},
		{"several audiences, azp empty", []string{aud, "reports-app"}, "", idtoken.ErrRefused},
		{"several audiences, azp not a string", []string{aud, "reports-app"}, []string{aud}, idtoken.ErrRefused},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			now := f.clock.Now()
			claims := f.is.Claims("alice", now)
			claims["aud"] = c.aud
			if c.azp != nil {
				claims["azp"] = c.azp
			}
			got, err := f.v.Verify(context.Background(), f.is.Sign(t, claims), now)
			if !errors.Is(err, c.err) || (c.err == nil && err != nil) {
				t.Fatalf("error %v, want %v", err, c.err)
			}
			if c.err == nil && got.Owner != "alice" {
				t.Fatalf("owner %q, want alice", got.Owner)
			}
		})
	}
}

// An address names a person only once the provider has verified it: when
// the owner or the admin claim is email, email_verified must be true.
func TestEmailMustBeVerified(t *testing.T) {
	t.Parallel()
	is := testkit.NewIssuer(t)
	clk := clock.NewManual(testkit.Start)
	verifier := func(owner, admin string) *idtoken.Verifier {
		cfg := signin.OIDC{Issuer: is.URL, Audience: is.Audience, OwnerClaim: owner, AdminClaim: admin, AdminValue: "root@example.test"}
		return idtoken.New(cfg, clk, slog.New(slog.DiscardHandler))
	}
	byEmail, adminByEmail, bySub := verifier("email", ""), verifier("sub", "email"), verifier("sub", "")
	cases := []struct {
		name     string
		v        *idtoken.Verifier
		verified any // nil: no email_verified claim
		want     idtoken.Person
		err      error
	}{
		{"owner by email, verified", byEmail, true, idtoken.Person{Owner: "root@example.test"}, nil},
		{"owner by email, unverified", byEmail, false, idtoken.Person{}, idtoken.ErrRefused},
		{"owner by email, no email_verified", byEmail, nil, idtoken.Person{}, idtoken.ErrRefused},
		{"owner by email, email_verified a string", byEmail, "true", idtoken.Person{}, idtoken.ErrRefused},
		{"admin by email, verified", adminByEmail, true, idtoken.Person{Owner: "alice", Admin: true}, nil},
		{"admin by email, unverified", adminByEmail, false, idtoken.Person{}, idtoken.ErrRefused},
		{"owner by sub, unverified email is no matter", bySub, false, idtoken.Person{Owner: "alice"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			now := clk.Now()
			claims := is.Claims("alice", now)
			claims["email"] = "root@example.test"
			if c.verified != nil {
				claims["email_verified"] = c.verified
			}
			got, err := c.v.Verify(context.Background(), is.Sign(t, claims), now)
			if !errors.Is(err, c.err) || (c.err == nil && err != nil) {
				t.Fatalf("error %v, want %v", err, c.err)
			}
			if got.Owner != c.want.Owner || got.Admin != c.want.Admin {
				t.Fatalf("person %+v, want %+v", got, c.want)
			}
		})
	}
}
