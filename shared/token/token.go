package token

import (
	"crypto/rand"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"log/slog"
	"strconv"
	"unsafe"
)

// DefaultPrefix is used when a caller passes an empty prefix, matching the
// TOKEN_PREFIX default.
const DefaultPrefix = "kmt"

const (
	// IDLen is the number of base62 characters in a token id.
	IDLen = 16
	// SecretLen is the number of base62 characters in a token secret
	// (32 × log2(62) ≈ 190 bits).
	SecretLen = 32
	// CheckLen is the number of base62 characters of the trailing checksum;
	// 62^6 > 2^32, so any CRC32 fits.
	CheckLen = 6

	minPrefixLen = 2
	maxPrefixLen = 8
	// MaxLen bounds a well-formed token's length: anything longer is
	// malformed whatever it holds.
	MaxLen = maxPrefixLen + 1 + IDLen + 1 + SecretLen + CheckLen

	alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

	// Bytes at or above this are rejected so that b%62 is uniform: 248 is the
	// largest multiple of 62 that fits in a byte.
	rejectFrom = 256 - 256%len(alphabet)

	redacted = "[REDACTED]"
)

// Pre-built so that rejecting junk allocates nothing; callers only ever
// match ErrMalformed and never see the token itself in the message.
var (
	errLength    = fmt.Errorf("%w: wrong length", ErrMalformed)
	errPrefix    = fmt.Errorf("%w: wrong prefix", ErrMalformed)
	errSeparator = fmt.Errorf("%w: missing separator", ErrMalformed)
	errAlphabet  = fmt.Errorf("%w: character outside base62", ErrMalformed)
	errCheck     = fmt.Errorf("%w: checksum mismatch", ErrMalformed)

	// errNoEntropy stops GenerateFrom from spinning forever on a reader that
	// only yields rejected bytes.
	errNoEntropy = errors.New("token: randomness source keeps yielding rejected bytes")
)

// Token is a parsed or freshly generated token.
type Token struct {
	Prefix string
	ID     string
	Secret string
}

// Generate returns a new token with a random id and secret from crypto/rand.
// An empty prefix means DefaultPrefix.
func Generate(prefix string) (Token, error) {
	return GenerateFrom(rand.Reader, prefix)
}

// GenerateFrom is Generate with a chosen randomness source, so tests can be
// deterministic. Production code must use Generate.
func GenerateFrom(r io.Reader, prefix string) (Token, error) {
	prefix, err := checkPrefix(prefix)
	if err != nil {
		return Token{}, err
	}
	id, err := randomBase62(r, IDLen)
	if err != nil {
		return Token{}, err
	}
	secret, err := randomBase62(r, SecretLen)
	if err != nil {
		return Token{}, err
	}
	return Token{Prefix: prefix, ID: id, Secret: secret}, nil
}

// NewID returns a fresh random id, for copies that need a new identity.
func NewID() (string, error) { return randomBase62(rand.Reader, IDLen) }

// NewSecret returns a fresh random secret, for regenerating a token in place.
func NewSecret() (string, error) { return randomBase62(rand.Reader, SecretLen) }

// ValidID reports whether id has the shape of a token id, so routes can
// reject junk path parameters before any I/O.
func ValidID(id string) bool {
	return len(id) == IDLen && isBase62(id)
}

// ValidPrefix reports whether p is usable as a token prefix.
func ValidPrefix(p string) bool {
	if len(p) < minPrefixLen || len(p) > maxPrefixLen {
		return false
	}
	for i := 0; i < len(p); i++ {
		if p[i] < 'a' || p[i] > 'z' {
			return false
		}
	}
	return true
}

// String returns the full plaintext token, checksum included. It is the only
// way to obtain the plaintext; see the package documentation.
func (t Token) String() string {
	b := make([]byte, 0, len(t.Prefix)+1+len(t.ID)+1+len(t.Secret)+CheckLen)
	b = append(b, t.Prefix...)
	b = append(b, '_')
	b = append(b, t.ID...)
	b = append(b, '_')
	b = append(b, t.Secret...)
	b = appendCheck(b, crc32.ChecksumIEEE(b))
	return string(b)
}

// Redacted returns the token with its secret replaced, for messages and logs.
func (t Token) Redacted() string {
	return t.Prefix + "_" + t.ID + "_" + redacted
}

// Format makes every fmt verb print the redacted form; fmt prefers a
// Formatter over String, so Sprint(t) and %v cannot leak the secret.
func (t Token) Format(f fmt.State, verb rune) {
	switch verb {
	case 'v':
		if f.Flag('#') {
			_, _ = io.WriteString(f, t.GoString())
			return
		}
		if f.Flag('+') {
			_, _ = fmt.Fprintf(f, "{Prefix:%s ID:%s Secret:%s}", t.Prefix, t.ID, redacted)
			return
		}
	case 'q':
		_, _ = io.WriteString(f, strconv.Quote(t.Redacted()))
		return
	}
	_, _ = io.WriteString(f, t.Redacted())
}

// GoString keeps %#v (and debuggers that use it) from showing the secret.
func (t Token) GoString() string {
	return fmt.Sprintf("token.Token{Prefix:%q, ID:%q, Secret:%q}", t.Prefix, t.ID, redacted)
}

// LogValue logs only the public parts.
func (t Token) LogValue() slog.Value {
	return slog.GroupValue(slog.String("prefix", t.Prefix), slog.String("id", t.ID))
}

// MarshalJSON covers the paths slog does not: a Token nested inside a logged
// struct is encoded with encoding/json, which ignores LogValue. Responses that
// must carry the plaintext put t.String() in their own field.
func (t Token) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, 32+len(t.Prefix)+len(t.ID))
	b = append(b, `{"prefix":`...)
	b = strconv.AppendQuote(b, t.Prefix)
	b = append(b, `,"id":`...)
	b = strconv.AppendQuote(b, t.ID)
	b = append(b, '}')
	return b, nil
}

// Parse parses s, which must be a token with the given prefix (empty means
// DefaultPrefix). Every failure caused by s wraps ErrMalformed; the errors
// never contain s. The returned fields share memory with s.
//
// It is written out by hand rather than with a regexp because it runs on
// every API request and should cost nothing for junk input.
func Parse(s, prefix string) (Token, error) {
	prefix, err := checkPrefix(prefix)
	if err != nil {
		return Token{}, err
	}
	p := len(prefix)
	if len(s) != p+1+IDLen+1+SecretLen+CheckLen {
		return Token{}, errLength
	}
	if s[:p] != prefix {
		return Token{}, errPrefix
	}
	if s[p] != '_' || s[p+1+IDLen] != '_' {
		return Token{}, errSeparator
	}
	id := s[p+1 : p+1+IDLen]
	rest := s[p+1+IDLen+1:]
	if !isBase62(id) || !isBase62(rest) {
		return Token{}, errAlphabet
	}
	body := len(s) - CheckLen
	var check [CheckLen]byte
	appendCheck(check[:0], crc32Of(s[:body]))
	if string(check[:]) != s[body:] {
		return Token{}, errCheck
	}
	return Token{Prefix: prefix, ID: id, Secret: rest[:SecretLen]}, nil
}

func checkPrefix(prefix string) (string, error) {
	if prefix == "" {
		return DefaultPrefix, nil
	}
	if !ValidPrefix(prefix) {
		return "", fmt.Errorf("token: %w (need 2-8 lower-case letters)", ErrInvalidPrefix)
	}
	return prefix, nil
}

// crc32Of is the standard library's CRC32-IEEE (hardware-assisted where the
// CPU has it) over the string's bytes without copying them: the slice
// aliases the string, which crc32 only reads. Parse must not allocate, and
// the strings it sees (request payloads) already live on the heap.
func crc32Of(s string) uint32 {
	if s == "" {
		return 0
	}
	return crc32.ChecksumIEEE(unsafe.Slice(unsafe.StringData(s), len(s)))
}

func appendCheck(b []byte, sum uint32) []byte {
	var d [CheckLen]byte
	for i := CheckLen - 1; i >= 0; i-- {
		d[i] = alphabet[sum%uint32(len(alphabet))]
		sum /= uint32(len(alphabet))
	}
	return append(b, d[:]...)
}

func isBase62(s string) bool {
	for i := 0; i < len(s); i++ {
		if !base62[s[i]] {
			return false
		}
	}
	return true
}

// base62 marks the bytes of the alphabet: one load per byte on a path that
// runs for every request.
var base62 = func() (t [256]bool) {
	for i := 0; i < len(alphabet); i++ {
		t[alphabet[i]] = true
	}
	return t
}()

// randomBase62 draws n uniform base62 characters by rejection sampling.
func randomBase62(r io.Reader, n int) (string, error) {
	out := make([]byte, 0, n)
	var buf [64]byte
	// With 248/256 acceptance, drawing this many bytes without filling n is
	// astronomically unlikely from a real random source.
	budget := 8*n + 64
	for len(out) < n {
		if budget <= 0 {
			return "", errNoEntropy
		}
		// Ask for a little more than needed so one read usually suffices.
		want := min(n-len(out)+(n-len(out))/8+1, len(buf), budget)
		budget -= want
		if _, err := io.ReadFull(r, buf[:want]); err != nil {
			return "", fmt.Errorf("token: reading randomness: %w", err)
		}
		for _, b := range buf[:want] {
			if int(b) >= rejectFrom {
				continue
			}
			out = append(out, alphabet[int(b)%len(alphabet)])
			if len(out) == n {
				break
			}
		}
	}
	return string(out), nil
}
