package manage

import (
	"maps"
	"slices"
	"unicode"
	"unicode/utf8"
)

// Metadata bounds. Keys become authorizer context keys (meta_<key>), which
// API Gateway passes to the backend and into access-log variables, so they
// are kept to a small, safe alphabet.
const (
	MaxMetadataKeys  = 16
	MaxMetadataKey   = 32
	MaxMetadataValue = 256
)

// CheckMetadata validates a token's metadata: at most MaxMetadataKeys
// pairs; a key is a lower-case letter then up to 31 lower-case letters,
// digits or _; a value is at most 256 bytes of UTF-8 without control
// characters. Keys are checked in order, so the error names the first bad
// one whatever the map's order.
func CheckMetadata(m map[string]string) error {
	if len(m) > MaxMetadataKeys {
		return invalid("metadata", "at most %d keys", MaxMetadataKeys)
	}
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if !metadataKey(k) {
			return invalid("metadata", "key %q: a lower-case letter, then up to %d lower-case letters, digits or _", k, MaxMetadataKey-1)
		}
		v := m[k]
		if len(v) > MaxMetadataValue || !utf8.ValidString(v) || hasControl(v) {
			return invalid("metadata", "value of %q: at most %d bytes of text, no control characters", k, MaxMetadataValue)
		}
	}
	return nil
}

func metadataKey(k string) bool {
	if k == "" || len(k) > MaxMetadataKey || k[0] < 'a' || k[0] > 'z' {
		return false
	}
	for i := range len(k) {
		c := k[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

func hasControl(s string) bool {
	for _, r := range s {
		if unicode.IsControl(r) {
			return true
		}
	}
	return false
}
