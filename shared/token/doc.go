// Package token generates, serialises and parses keymint API tokens
// (docs/architecture.md "Token format"):
//
//	<prefix>_<id>_<secret><check>
//
// The prefix lets secret scanners recognise leaked tokens; the id is public
// and keys the table; the secret is the only part that proves possession;
// the check (CRC32-IEEE, six base62 digits) lets Parse reject typos and
// truncation before any I/O, which matters because Parse runs on every
// request, including floods of junk.
//
// Token.String is the one accessor that yields the plaintext, because the
// plaintext is shown to its owner exactly once. Every other rendering (fmt
// verbs through Format, %#v, slog through LogValue, encoding/json) shows only
// the prefix and the id, so a Token that strays into a log line does not leak.
//
// Text is another matter: a token or an ID token pasted into a URL path or
// an error reaches logs as a string. Masking, the slog handler every
// function's log goes through, hides the secret of anything shaped like a
// token and the payload and signature of anything shaped like a JWT (Mask).
package token
