package token_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"log/slog"
	"math/big"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"

	"github.com/keymint/keymint/shared/token"
)

var tokenPattern = regexp.MustCompile(`^[a-z]{2,8}_[0-9A-Za-z]{16}_[0-9A-Za-z]{38}$`)

// constReader yields the same byte forever.
type constReader byte

func (c constReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(c)
	}
	return len(p), nil
}

func mustGenerate(t testing.TB, prefix string) token.Token {
	t.Helper()
	tok, err := token.Generate(prefix)
	if err != nil {
		t.Fatalf("Generate(%q): %v", prefix, err)
	}
	return tok
}

// independentCheck computes the check with math/big, whose base-62 digits are
// 0-9a-zA-Z; swapping the case of letters maps them onto 0-9A-Za-z.
func independentCheck(body string) string {
	digits := new(big.Int).SetUint64(uint64(crc32.ChecksumIEEE([]byte(body)))).Text(62)
	var b strings.Builder
	for _, r := range digits {
		switch {
		case 'a' <= r && r <= 'z':
			r -= 'a' - 'A'
		case 'A' <= r && r <= 'Z':
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return strings.Repeat("0", 6-b.Len()) + b.String()
}

// withCheck appends the independently computed check to body.
func withCheck(body string) string { return body + independentCheck(body) }

func TestGenerateParseRoundTrip(t *testing.T) {
	t.Parallel()
	for _, prefix := range []string{"", "kmt", "ab", "abcdefgh"} {
		t.Run("prefix="+prefix, func(t *testing.T) {
			for range 200 {
				tok := mustGenerate(t, prefix)
				want := prefix
				if want == "" {
					want = token.DefaultPrefix
				}
				if tok.Prefix != want {
					t.Fatalf("Prefix = %q, want %q", tok.Prefix, want)
				}
				s := tok.String()
				if !tokenPattern.MatchString(s) {
					t.Fatalf("generated token %q does not match the contract regex", s)
				}
				got, err := token.Parse(s, prefix)
				if err != nil {
					t.Fatalf("Parse(generated): %v", err)
				}
				if got != tok {
					t.Fatalf("Parse(String()) = %#v, want fields equal to the generated token", got)
				}
				if got.Secret != tok.Secret {
					t.Fatal("secret changed in round trip")
				}
			}
		})
	}
}

func TestGenerateUnique(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for range 1000 {
		tok := mustGenerate(t, "kmt")
		if seen[tok.ID] || seen[tok.Secret] {
			t.Fatalf("repeated id or secret after %d tokens", len(seen)/2)
		}
		seen[tok.ID], seen[tok.Secret] = true, true
	}
}

func TestCheckKnownAnswer(t *testing.T) {
	t.Parallel()
	tests := []struct {
		tok    token.Token
		golden string // computed outside Go (Python zlib.crc32)
	}{
		{
			tok:    token.Token{Prefix: "kmt", ID: "0123456789ABCDEF", Secret: "GHIJKLMNOPQRSTUVWXYZabcdefghijkl"},
			golden: "kmt_0123456789ABCDEF_GHIJKLMNOPQRSTUVWXYZabcdefghijkl4MWEUU",
		},
		{
			tok:    token.Token{Prefix: "acme", ID: "zzzzzzzzzzzzzzzz", Secret: strings.Repeat("0", 32)},
			golden: "acme_zzzzzzzzzzzzzzzz_000000000000000000000000000000001UGCuu",
		},
	}
	for _, tt := range tests {
		t.Run(tt.tok.Prefix, func(t *testing.T) {
			s := tt.tok.String()
			if s != tt.golden {
				t.Errorf("String() = %q, want %q", s, tt.golden)
			}
			body := tt.tok.Prefix + "_" + tt.tok.ID + "_" + tt.tok.Secret
			if got, want := s[len(s)-6:], independentCheck(body); got != want {
				t.Errorf("check = %q, independent computation = %q", got, want)
			}
		})
	}
	// Random tokens exercise checks of every magnitude, including ones that
	// need left padding.
	for range 2000 {
		tok := mustGenerate(t, "kmt")
		s := tok.String()
		if got, want := s[len(s)-6:], independentCheck(s[:len(s)-6]); got != want {
			t.Fatalf("check of %s = %q, independent computation = %q", tok.Redacted(), got, want)
		}
	}
}

func TestCheckPadding(t *testing.T) {
	t.Parallel()
	// Small CRC values must be left-padded; search for a body whose CRC is
	// below 62^5 so the first check digit is '0'.
	for i := range 1 << 20 {
		tok := token.Token{Prefix: "kmt", ID: fmt.Sprintf("%016d", i), Secret: strings.Repeat("a", 32)}
		s := tok.String()
		if crc32.ChecksumIEEE([]byte(s[:len(s)-6])) >= 916132832 {
			continue
		}
		if s[len(s)-6] != '0' {
			t.Fatalf("check %q of a CRC below 62^5 is not left-padded", s[len(s)-6:])
		}
		if _, err := token.Parse(s, "kmt"); err != nil {
			t.Fatalf("Parse(padded): %v", err)
		}
		return
	}
	t.Fatal("no small CRC found")
}

func TestParseRejectsMalformed(t *testing.T) {
	t.Parallel()
	const secret = "GHIJKLMNOPQRSTUVWXYZabcdefghijkl"
	valid := token.Token{Prefix: "kmt", ID: "0123456789ABCDEF", Secret: secret}.String()
	if valid != withCheck("kmt_0123456789ABCDEF_"+secret) {
		t.Fatal("withCheck disagrees with String")
	}
	if _, err := token.Parse(valid, "kmt"); err != nil {
		t.Fatalf("the base token must parse: %v", err)
	}
	changeAt := func(i int, c byte) string {
		b := []byte(valid)
		b[i] = c
		return string(b)
	}
	tests := []struct {
		name   string
		in     string
		prefix string
	}{
		{"empty", "", "kmt"},
		{"truncated by one", valid[:len(valid)-1], "kmt"},
		{"truncated check", valid[:len(valid)-6], "kmt"},
		{"extra character", valid + "0", "kmt"},
		{"secret character changed", changeAt(30, 'X'), "kmt"},
		{"id character changed", changeAt(5, 'z'), "kmt"},
		{"check character changed", changeAt(len(valid)-1, 'V'), "kmt"},
		{"wrong prefix", valid, "abc"},
		{"other prefix same length", "kmu" + valid[3:], "kmt"},
		{"upper-case prefix", "KMT" + valid[3:], "kmt"},
		{"bad character in id", changeAt(4, '-'), "kmt"},
		{"bad character in secret", changeAt(40, '+'), "kmt"},
		{"non-ASCII in secret", valid[:40] + "é" + valid[42:], "kmt"},
		{"separator replaced", changeAt(3, '-'), "kmt"},
		{"second separator replaced", changeAt(20, 'x'), "kmt"},
		{"trailing newline", valid + "\n", "kmt"},
		{"leading space", " " + valid, "kmt"},
		{"trailing space", valid + " ", "kmt"},
		{"newline replacing last char", valid[:len(valid)-1] + "\n", "kmt"},
		{"bearer scheme left on", "Bearer " + valid, "kmt"},
		{"swapped adjacent secret chars", valid[:30] + valid[31:32] + valid[30:31] + valid[32:], "kmt"},
		// The rest carry a correct check, so only the shape checks can
		// reject them.
		{"bad character in id, valid check", withCheck("kmt_0123456789ABCDE-_" + secret), "kmt"},
		{"bad character in secret, valid check", withCheck("kmt_0123456789ABCDEF_" + secret[:31] + "/"), "kmt"},
		{"space in secret, valid check", withCheck("kmt_0123456789ABCDEF_ " + secret[1:]), "kmt"},
		{"separator replaced, valid check", withCheck("kmt-0123456789ABCDEF_" + secret), "kmt"},
		{"second separator replaced, valid check", withCheck("kmt_0123456789ABCDEF-" + secret), "kmt"},
		{"separators shifted, valid check", withCheck("kmt_0123456789ABCDE_F" + secret), "kmt"},
		{"upper-case prefix, valid check", withCheck("KMT_0123456789ABCDEF_" + secret), "kmt"},
		{"other prefix, valid check", withCheck("abc_0123456789ABCDEF_" + secret), "kmt"},
		{"longer id, valid check", withCheck("kmt_0123456789ABCDEFG_" + secret[1:]), "kmt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.in == valid && tt.prefix == "kmt" {
				t.Fatal("test case does not change the token")
			}
			got, err := token.Parse(tt.in, tt.prefix)
			if !errors.Is(err, token.ErrMalformed) {
				t.Fatalf("Parse error = %v, want ErrMalformed", err)
			}
			if got != (token.Token{}) {
				t.Errorf("Parse returned a non-zero token on error")
			}
		})
	}
}

func TestParseErrorDoesNotContainToken(t *testing.T) {
	t.Parallel()
	tok := mustGenerate(t, "kmt")
	s := tok.String()
	bad := s[:len(s)-1] + string("0123456789"[(strings.IndexByte("0123456789", s[len(s)-1])+1)%10])
	if bad == s || !strings.ContainsAny(s[len(s)-1:], "0123456789") {
		bad = s[:len(s)-1] + "!"
	}
	_, err := token.Parse(bad, "kmt")
	if !errors.Is(err, token.ErrMalformed) {
		t.Fatalf("Parse error = %v, want ErrMalformed", err)
	}
	if strings.Contains(err.Error(), tok.Secret) {
		t.Fatal("error message contains the secret")
	}
}

func TestInvalidPrefix(t *testing.T) {
	t.Parallel()
	for _, p := range []string{"k", "abcdefghi", "Kmt", "km1", "km_", "kmt "} {
		t.Run(p, func(t *testing.T) {
			if token.ValidPrefix(p) {
				t.Errorf("ValidPrefix(%q) = true", p)
			}
			if _, err := token.Generate(p); !errors.Is(err, token.ErrInvalidPrefix) {
				t.Errorf("Generate(%q) error = %v, want ErrInvalidPrefix", p, err)
			}
			_, err := token.Parse(p+"_0123456789ABCDEF_"+strings.Repeat("a", 38), p)
			if !errors.Is(err, token.ErrInvalidPrefix) {
				t.Errorf("Parse with prefix %q error = %v, want ErrInvalidPrefix", p, err)
			}
			if errors.Is(err, token.ErrMalformed) {
				t.Errorf("a bad configured prefix must not look like a bad token")
			}
		})
	}
}

func TestValidID(t *testing.T) {
	t.Parallel()
	tests := []struct {
		id   string
		want bool
	}{
		{"0123456789ABCDEF", true},
		{"zzzzzzzzzzzzzzzz", true},
		{"", false},
		{"0123456789ABCDE", false},
		{"0123456789ABCDEFG", false},
		{"0123456789ABCDE-", false},
		{"0123456789ABCDE/", false},
		{"../../etc/passwd", false},
		{"0123456789ABCDE\n", false},
	}
	for _, tt := range tests {
		if got := token.ValidID(tt.id); got != tt.want {
			t.Errorf("ValidID(%q) = %v, want %v", tt.id, got, tt.want)
		}
	}
	for range 100 {
		id, err := token.NewID()
		if err != nil {
			t.Fatal(err)
		}
		if !token.ValidID(id) {
			t.Fatalf("NewID() = %q, not a valid id", id)
		}
	}
}

func TestNewSecret(t *testing.T) {
	t.Parallel()
	a, err := token.NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	b, err := token.NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	if len(a) != token.SecretLen || !regexp.MustCompile(`^[0-9A-Za-z]+$`).MatchString(a) {
		t.Errorf("NewSecret() = %d chars or outside base62", len(a))
	}
	if a == b {
		t.Error("two NewSecret calls returned the same secret")
	}
}

func TestGenerateFromIsUnbiased(t *testing.T) {
	t.Parallel()
	// Plain b%62 would draw '0'-'7' with probability 5/256 and the rest with
	// 4/256, 25% more often. With a seeded stream the counts are
	// deterministic; uniform sampling keeps every count within a few percent
	// (about 6 standard deviations below the modulo bias).
	r := rand.NewChaCha8([32]byte{1, 2, 3})
	counts := map[rune]int{}
	const tokens = 5000
	for range tokens {
		tok, err := token.GenerateFrom(r, "kmt")
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range tok.ID + tok.Secret {
			counts[c]++
		}
	}
	if len(counts) != 62 {
		t.Fatalf("saw %d distinct characters, want 62", len(counts))
	}
	want := float64(tokens*(token.IDLen+token.SecretLen)) / 62
	for c, n := range counts {
		if dev := (float64(n) - want) / want; dev > 0.1 || dev < -0.1 {
			t.Errorf("character %q drawn %d times, want %.0f±10%%", c, n, want)
		}
	}
}

func TestGenerateFromSkipsRejectedBytes(t *testing.T) {
	t.Parallel()
	// 248..255 must be skipped; 0..15 then map to "0".."F".
	src := append(bytes.Repeat([]byte{255, 248}, 4), []byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}...)
	src = append(src, bytes.Repeat([]byte{61}, 64)...)
	tok, err := token.GenerateFrom(bytes.NewReader(src), "kmt")
	if err != nil {
		t.Fatal(err)
	}
	if tok.ID != "0123456789ABCDEF" {
		t.Errorf("ID = %q, want 0123456789ABCDEF", tok.ID)
	}
	if tok.Secret != strings.Repeat("z", 32) {
		t.Errorf("Secret = %q, want 32 × z", tok.Secret)
	}
}

func TestGenerateFromReaderFailure(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		r    io.Reader
		want error
	}{
		{"short reader", bytes.NewReader(make([]byte, 20)), io.ErrUnexpectedEOF},
		{"empty reader", bytes.NewReader(nil), io.EOF},
		{"only rejected bytes", constReader(250), token.ErrNoEntropy},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := token.GenerateFrom(tt.r, "kmt")
			if !errors.Is(err, tt.want) {
				t.Fatalf("error = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestFormattingRedactsSecret(t *testing.T) {
	t.Parallel()
	tok := mustGenerate(t, "kmt")
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d", "%10s"} {
		out := fmt.Sprintf(verb, tok)
		if strings.Contains(out, tok.Secret) {
			t.Errorf("%s leaks the secret: %s", verb, out)
		}
		if !strings.Contains(out, tok.ID) {
			t.Errorf("%s omits the id: %s", verb, out)
		}
		if ptr := fmt.Sprintf(verb, &tok); strings.Contains(ptr, tok.Secret) {
			t.Errorf("%s of *Token leaks the secret", verb)
		}
	}
	if out := fmt.Sprint(tok, []token.Token{tok}, map[string]token.Token{"k": tok}); strings.Contains(out, tok.Secret) {
		t.Errorf("Sprint of containers leaks the secret: %s", out)
	}
	if out := fmt.Sprintf("%+v", struct{ T token.Token }{tok}); strings.Contains(out, tok.Secret) {
		t.Errorf("%%+v of a struct field leaks the secret: %s", out)
	}
	if s := tok.String(); !strings.Contains(s, tok.Secret) {
		t.Error("String() must return the plaintext")
	}
}

func TestSlogRedactsSecret(t *testing.T) {
	t.Parallel()
	tok := mustGenerate(t, "kmt")
	var buf bytes.Buffer
	for _, h := range []slog.Handler{slog.NewJSONHandler(&buf, nil), slog.NewTextHandler(&buf, nil)} {
		log := slog.New(h)
		log.Info("issued", "token", tok, "ptr", &tok)
		log.Info("nested", "wrapper", struct{ T token.Token }{tok})
		log.Info("attr", slog.Any("token", tok))
	}
	out := buf.String()
	if strings.Contains(out, tok.Secret) {
		t.Fatalf("slog output leaks the secret:\n%s", out)
	}
	if !strings.Contains(out, tok.ID) {
		t.Fatalf("slog output omits the id:\n%s", out)
	}

	buf.Reset()
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("issued", "token", tok)
	var rec struct {
		Token struct{ Prefix, ID, Secret string } `json:"token"`
	}
	if err := json.Unmarshal(buf.Bytes(), &rec); err != nil {
		t.Fatalf("slog JSON output: %v", err)
	}
	if rec.Token.Prefix != "kmt" || rec.Token.ID != tok.ID || rec.Token.Secret != "" {
		t.Errorf("logged token = %+v, want prefix and id only", rec.Token)
	}
}

func TestJSONRedactsSecret(t *testing.T) {
	t.Parallel()
	tok := mustGenerate(t, "kmt")
	b, err := json.Marshal(map[string]any{"t": tok, "p": &tok})
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(b, []byte(tok.Secret)) {
		t.Fatalf("json leaks the secret: %s", b)
	}
	var got map[string]struct{ Prefix, ID string }
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if got["t"].ID != tok.ID || got["t"].Prefix != tok.Prefix {
		t.Errorf("json fields = %+v, want prefix and id", got["t"])
	}
}

func TestParseAllocations(t *testing.T) {
	s := mustGenerate(t, "kmt").String()
	bad := s[:len(s)-1] + "!"
	for _, in := range []string{s, bad, "junk"} {
		if n := testing.AllocsPerRun(100, func() { _, _ = token.Parse(in, "kmt") }); n != 0 {
			t.Errorf("Parse allocates %.0f times per call, want 0", n)
		}
	}
}

func BenchmarkParse(b *testing.B) {
	s := mustGenerate(b, "kmt").String()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := token.Parse(s, "kmt"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGenerate(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := token.Generate("kmt"); err != nil {
			b.Fatal(err)
		}
	}
}
