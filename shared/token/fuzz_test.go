package token_test

import (
	"errors"
	"testing"

	"github.com/keymint/keymint/shared/token"
)

func FuzzParse(f *testing.F) {
	valid := token.Token{Prefix: "kmt", ID: "0123456789ABCDEF", Secret: "GHIJKLMNOPQRSTUVWXYZabcdefghijkl"}.String()
	f.Add(valid, "kmt")
	f.Add(valid, "")
	f.Add(valid[:len(valid)-1], "kmt")
	f.Add(valid+"\n", "kmt")
	f.Add("acme_zzzzzzzzzzzzzzzz_000000000000000000000000000000001UGCuu", "acme")
	f.Add("", "kmt")
	f.Add("kmt__", "kmt")
	f.Fuzz(func(t *testing.T, s, prefix string) {
		tok, err := token.Parse(s, prefix)
		if err != nil {
			if !errors.Is(err, token.ErrMalformed) && !errors.Is(err, token.ErrInvalidPrefix) {
				t.Fatalf("Parse error %v wraps neither ErrMalformed nor ErrInvalidPrefix", err)
			}
			return
		}
		if got := tok.String(); got != s {
			t.Fatalf("accepted %q but re-serialises as %q", s, got)
		}
		if !tokenPattern.MatchString(s) {
			t.Fatalf("accepted %q, which does not match the contract regex", s)
		}
		if !token.ValidID(tok.ID) || !token.ValidPrefix(tok.Prefix) {
			t.Fatalf("accepted %q with invalid parts %#v", s, tok)
		}
		if again, err := token.Parse(tok.String(), tok.Prefix); err != nil || again != tok {
			t.Fatalf("re-parse of accepted token failed: %v", err)
		}
	})
}
