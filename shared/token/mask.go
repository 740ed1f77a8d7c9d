package token

import (
	"context"
	"log/slog"
	"strings"
)

// Mask returns s with the secret of everything shaped like a token
// ("<prefix>_<16 base62 id>_<base62 secret>") replaced by [REDACTED], so a
// token pasted into a URL path, a route or an error text never reaches a
// log. Any prefix of 2–8 lower-case letters counts, and a secret of any
// length: a log line may hold another deployment's token or a truncated
// one. Text without such a shape comes back as it is, without allocating.
func Mask(s string) string {
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
// texts included) passes through Mask before it is written.
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
