package token_test

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/keymint/keymint/shared/token"
)

func TestMask(t *testing.T) {
	tok := token.Token{Prefix: "kmt", ID: "0123456789ABCDEF", Secret: "GHIJKLMNOPQRSTUVWXYZabcdefghijkl"}.String()
	cases := []struct{ in, want string }{
		{"GET /tokens/" + tok, "GET /tokens/kmt_0123456789ABCDEF_[REDACTED]"},
		{"/tokens/" + tok + "/usage", "/tokens/kmt_0123456789ABCDEF_[REDACTED]/usage"},
		{"two " + tok + " " + tok, "two kmt_0123456789ABCDEF_[REDACTED] kmt_0123456789ABCDEF_[REDACTED]"},
		{"acme_zzzzzzzzzzzzzzzz_abc", "acme_zzzzzzzzzzzzzzzz_[REDACTED]"}, // another prefix, truncated secret
		{"Bearer " + tok[:30], "Bearer kmt_0123456789ABCDEF_[REDACTED]"},  // a truncated token still hides what it has
		{"kmt_0123456789ABCDEF_", "kmt_0123456789ABCDEF_"},
		{"x_0123456789ABCDEF_secret", "x_0123456789ABCDEF_secret"}, // one-letter prefix is not a token
		{"snake_case_words", "snake_case_words"},
		{"", ""},
	}
	for _, c := range cases {
		if got := token.Mask(c.in); got != c.want {
			t.Errorf("Mask(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	clean := "GET /tokens/0123456789ABCDEF/usage"
	if n := testing.AllocsPerRun(100, func() { _ = token.Mask(clean) }); n != 0 {
		t.Errorf("Mask allocates %v times on text without a token", n)
	}
}

func TestMaskingHandler(t *testing.T) {
	t.Parallel()
	tok := token.Token{Prefix: "kmt", ID: "0123456789ABCDEF", Secret: "GHIJKLMNOPQRSTUVWXYZabcdefghijkl"}.String()
	var buf bytes.Buffer
	log := slog.New(token.Masking(slog.NewJSONHandler(&buf, nil))).With("path", "/tokens/"+tok)
	log.Info("bad "+tok, "error", errors.New("lookup "+tok+" failed"), slog.Group("g", "route", "GET /"+tok))
	out := buf.String()
	if strings.Contains(out, tok[21:]) {
		t.Fatalf("a secret reached the log: %s", out)
	}
	if strings.Count(out, "kmt_0123456789ABCDEF_[REDACTED]") != 4 {
		t.Fatalf("want the token masked in message, attribute, error and group: %s", out)
	}
}
