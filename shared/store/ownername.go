package store

import "strings"

// ValidOwner reports whether owner may name an owner: 1 to 128 letters,
// digits or . _ @ : + -. It becomes part of table keys, so every way in
// (an API body, an ID token's claim) is held to it.
func ValidOwner(owner string) bool {
	if owner == "" || len(owner) > 128 {
		return false
	}
	for i := range len(owner) {
		c := owner[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("._@:+-", c) >= 0) {
			return false
		}
	}
	return true
}
