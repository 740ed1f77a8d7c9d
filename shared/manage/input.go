package manage

import (
	"errors"
	"net/netip"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/keymint/keymint/shared/policy"
	"github.com/keymint/keymint/shared/store"
)

// only reports s is 1 to n bytes, each a letter, a digit or in extra. A
// loop, not a regexp: a bounded repeat like {1,128} compiles to a program
// that took a millisecond of every cold start.
func only(s string, n int, extra string) bool {
	if s == "" || len(s) > n {
		return false
	}
	for i := range len(s) {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte(extra, c) >= 0) {
			return false
		}
	}
	return true
}

// Input limits: they keep one token item far below
// DynamoDB's 400 KB item limit.
const (
	MaxDescription = 1024
	MaxCIDRs       = 100
	MaxBlockedIPs  = 500
)

func checkName(name string) error {
	if !only(name, 32, "-") {
		return invalid("name", "must be 1-32 letters, digits or '-'")
	}
	return nil
}

// CheckOwner validates an owner identifier (it becomes part of table keys).
func CheckOwner(owner string) error {
	if !store.ValidOwner(owner) {
		return invalid("owner", "must be 1-128 letters, digits or . _ @ : + -")
	}
	return nil
}

func checkDescription(d string) error {
	if !utf8.ValidString(d) {
		return invalid("description", "must be UTF-8 text")
	}
	if utf8.RuneCountInString(d) > MaxDescription {
		return invalid("description", "must be at most %d characters", MaxDescription)
	}
	for _, r := range d {
		if hidden(r) {
			return invalid("description", "must not hold control characters (U+%04X)", r)
		}
	}
	return nil
}

// hidden reports runes that make text read differently from what it holds:
// C0 and C1 controls (terminal escapes, NUL) and the bidirectional
// embedding, override and isolate controls of Unicode's "Trojan Source"
// advisory (CVE-2021-42574). Descriptions reach consoles, logs and audit
// trails, where such runes could disguise what an admin is approving.
func hidden(r rune) bool {
	return r < 0x20 || (r >= 0x7f && r <= 0x9f) ||
		(r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069)
}

// normalizeCIDRs parses IPv4/IPv6 prefixes (a bare address means that one
// host), masks them and removes repeats. Every stored prefix can match:
// validate compares unmapped addresses, so an IPv4-mapped IPv6 prefix is
// stored as the IPv4 prefix it names, and one wider than the mapped range
// (shorter than /96) is refused rather than silently never matching.
func normalizeCIDRs(in []string) ([]string, error) {
	if len(in) > MaxCIDRs {
		return nil, invalid("allowedCidrs", "at most %d entries", MaxCIDRs)
	}
	out := make([]string, 0, len(in))
	for _, s := range in {
		p, err := parseCIDR(s)
		if err != nil {
			return nil, err
		}
		out = append(out, p.String())
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

func parseCIDR(s string) (netip.Prefix, error) {
	bad := invalid("allowedCidrs", "%q is not an IP address or CIDR block", s)
	p, err := netip.ParsePrefix(s)
	if err != nil {
		// A bare address is that one host; ParseAddr alone would read
		// "fe80::1%eth0/64" as a zone named "eth0/64".
		a, aerr := netip.ParseAddr(s)
		if aerr != nil || a.Zone() != "" {
			return netip.Prefix{}, bad
		}
		p = netip.PrefixFrom(a, a.BitLen())
	}
	if a := p.Addr(); a.Is4In6() {
		if p.Bits() < 96 {
			return netip.Prefix{}, invalid("allowedCidrs", "%q mixes IPv4-mapped and other IPv6 addresses; give the IPv4 block", s)
		}
		p = netip.PrefixFrom(a.Unmap(), p.Bits()-96)
	}
	return p.Masked(), nil
}

// NormalizeIP parses one IP address (v4, v6 or v4-mapped v6) into its
// canonical text, the form stored in blockedIps and the usage log. Zones
// are refused: a block must name an address, not an interface.
func NormalizeIP(s string) (string, error) {
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return "", invalid("ip", "%q is not an IP address", s)
	}
	return a.Unmap().String(), nil
}

// grantable expands requested scopes (bundles allowed) and checks the
// caller holds each one; admins may grant any known scope.
func grantable(cat *policy.Catalogue, caller Caller, requested []string) ([]string, error) {
	if len(requested) == 0 {
		return nil, invalid("scopes", "at least one scope is required")
	}
	scopes, err := cat.Expand(requested)
	if err != nil {
		var us policy.UnknownScopeError
		if errors.As(err, &us) {
			return nil, invalid("scopes", "unknown scope %q", us.Scope)
		}
		return nil, invalid("scopes", "unknown scope")
	}
	if caller.Admin() {
		return scopes, nil
	}
	for _, s := range scopes {
		if !caller.Has(s) {
			return nil, forbidden("you may only grant scopes your own token holds: " + s)
		}
	}
	return scopes, nil
}

// expiry resolves expiresAt / expiresInDays into an absolute time within
// the maximum lifetime; neither means the default lifetime.
func expiry(now time.Time, at *time.Time, inDays *int, def, maxLife time.Duration) (time.Time, error) {
	switch {
	case at != nil && inDays != nil:
		return time.Time{}, invalid("expiresAt", "give expiresAt or expiresInDays, not both")
	case inDays != nil:
		maxDays := int(maxLife / (24 * time.Hour))
		// Compared in days, before any multiplication can overflow.
		if *inDays <= 0 || *inDays > maxDays {
			return time.Time{}, invalid("expiresInDays", "must be between 1 and %d days", maxDays)
		}
		return now.Add(time.Duration(*inDays) * 24 * time.Hour).Truncate(time.Second), nil
	case at != nil:
		return checkExpiresAt(now, *at, maxLife)
	}
	return now.Add(def).Truncate(time.Second), nil
}

func checkExpiresAt(now, at time.Time, maxLife time.Duration) (time.Time, error) {
	if !at.After(now) {
		return time.Time{}, invalid("expiresAt", "must be in the future")
	}
	if at.Sub(now) > maxLife {
		return time.Time{}, invalid("expiresAt", "must be within %d days", int(maxLife/(24*time.Hour)))
	}
	return at.Truncate(time.Second), nil
}
