package token

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"strings"
)

// Mask returns s with every secret it can recognise replaced by
// [REDACTED], so a credential pasted into a URL path, a route or an error
// text never reaches a log:
//
//   - a keymint token ("<prefix>_<16 base62 id>_<base62 secret>") keeps its
//     prefix and id. Any prefix of 2–8 lower-case letters counts, and a
//     secret of any length: a log line may hold another deployment's token
//     or a truncated one.
//   - a JWT (a signed-in person's ID token, or any JWS in compact form)
//     keeps its header; its payload and signature are masked (see maskJWTs).
//
// Text without such a shape comes back as it is, without allocating.
func Mask(s string) string {
	return maskTokens(maskJWTs(s))
}

func maskTokens(s string) string {
	var b strings.Builder
	last := 0
	for i := 0; i < len(s); i++ {
		if s[i] != '_' {
			continue
		}
		start, end, ok := secretAt(s, i)
		if !ok {
			continue
		}
		if b.Len() == 0 {
			b.Grow(len(s))
		}
		b.WriteString(s[last:start])
		b.WriteString(redacted)
		last, i = end, end-1
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// maskJWTs replaces the payload and signature of everything shaped like a
// JWS in compact serialisation, the form of every JWT and of an OpenID
// Connect ID token: three base64url parts joined by dots, the first a JSON
// object, the JOSE header (RFC 7515 §7.1,
// https://www.rfc-editor.org/rfc/rfc7515#section-7.1; RFC 7519 §7.2). The
// payload holds the person's claims, and payload and signature together
// are a bearer credential until exp. The header (alg, kid) is kept: it
// names no one and tells which key signed. The signature may be empty (an
// unsecured JWT is still a person's claims). Dotted text that is not a JWT
// (versions, host names, addresses) has no part that decodes to a JSON
// object, and is left alone.
func maskJWTs(s string) string {
	var b strings.Builder
	last := 0
	for i := 0; i < len(s); i++ {
		if s[i] != '.' {
			continue
		}
		end, ok := jwtAt(s, last, i)
		if !ok {
			continue
		}
		if b.Len() == 0 {
			b.Grow(len(s))
		}
		b.WriteString(s[last : i+1])
		b.WriteString(redacted)
		last, i = end, end-1
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// jwtAt checks whether the '.' at dot ends a JOSE header (which starts no
// earlier than from) and starts a payload, a second '.' and a signature;
// it returns where the signature ends.
func jwtAt(s string, from, dot int) (end int, ok bool) {
	h := dot
	for h > from && isB64URL(s[h-1]) {
		h--
	}
	p := dot + 1
	for p < len(s) && isB64URL(s[p]) {
		p++
	}
	if p == dot+1 || p >= len(s) || s[p] != '.' || !jsonObject(s[h:dot]) {
		return 0, false
	}
	end = p + 1
	for end < len(s) && isB64URL(s[end]) {
		end++
	}
	return end, true
}

// jsonObject reports whether part is base64url (unpadded) of a JSON
// object. A JOSE header starts with '{' and then '"', '}' or white space,
// so its encoding with "ey", "e3" or "ew"; anything else is rejected before
// decoding, and a header of usual size decodes on the stack.
func jsonObject(part string) bool {
	if len(part) < 3 || part[0] != 'e' || (part[1] != 'y' && part[1] != '3' && part[1] != 'w') {
		return false
	}
	var buf [512]byte
	dst := buf[:]
	if n := base64.RawURLEncoding.DecodedLen(len(part)); n > len(buf) {
		dst = make([]byte, n)
	}
	n, err := base64.RawURLEncoding.Decode(dst, []byte(part))
	obj := bytes.TrimRight(dst[:n], " \t\r\n")
	// The closing brace first: json.Valid allocates its error.
	return err == nil && len(obj) > 0 && obj[len(obj)-1] == '}' && json.Valid(obj)
}

func isB64URL(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_'
}

// secretAt checks whether the '_' at i ends a prefix and starts an id
// followed by '_' and a secret; it returns where the secret lies.
func secretAt(s string, i int) (start, end int, ok bool) {
	p := i
	for p > 0 && i-p < maxPrefixLen && s[p-1] >= 'a' && s[p-1] <= 'z' {
		p--
	}
	if i-p < minPrefixLen {
		return 0, 0, false
	}
	idEnd := i + 1 + IDLen
	if idEnd >= len(s) || s[idEnd] != '_' || !isBase62(s[i+1:idEnd]) {
		return 0, 0, false
	}
	start, end = idEnd+1, idEnd+1
	for end < len(s) && isBase62(s[end:end+1]) {
		end++
	}
	return start, end, end > start
}

// Masking wraps a slog handler so every message and string attribute (error
// texts included) passes through Mask before it is written: keymint tokens
// and JWTs alike.
func Masking(h slog.Handler) slog.Handler { return maskingHandler{h} }

type maskingHandler struct{ next slog.Handler }

func (m maskingHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return m.next.Enabled(ctx, l)
}

func (m maskingHandler) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, Mask(r.Message), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(maskAttr(a))
		return true
	})
	return m.next.Handle(ctx, out)
}

func (m maskingHandler) WithAttrs(as []slog.Attr) slog.Handler {
	masked := make([]slog.Attr, len(as))
	for i, a := range as {
		masked[i] = maskAttr(a)
	}
	return maskingHandler{m.next.WithAttrs(masked)}
}

func (m maskingHandler) WithGroup(name string) slog.Handler {
	return maskingHandler{m.next.WithGroup(name)}
}

func maskAttr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, Mask(v.String()))
	case slog.KindGroup:
		g := v.Group()
		masked := make([]any, len(g))
		for i, ga := range g {
			masked[i] = maskAttr(ga)
		}
		return slog.Group(a.Key, masked...)
	case slog.KindAny:
		if err, ok := v.Any().(error); ok {
			return slog.String(a.Key, Mask(err.Error()))
		}
	}
	return slog.Attr{Key: a.Key, Value: v}
}
