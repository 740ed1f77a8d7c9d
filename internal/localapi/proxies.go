package localapi

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// ParseTrustedProxies parses a TRUSTED_PROXIES setting: a comma-separated
// list of CIDRs ("10.0.0.0/8", "2001:db8::/32") or bare IPs ("127.0.0.1",
// "::1"), spaces around entries ignored. An empty (or blank) setting is no
// entries: trust nobody. A bare IP is a /32 or /128; a CIDR's host bits are
// cleared; IPv4-mapped IPv6 entries ("::ffff:10.0.0.1", "::ffff:10.0.0.0/104")
// become IPv4 ones. An entry that is not an IP or CIDR, carries an IPv6 zone
// ("fe80::1%eth0"), or is an IPv4-mapped prefix shorter than /96 is an error
// naming the entry.
func ParseTrustedProxies(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for entry := range strings.SplitSeq(s, ",") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		p, err := parseTrustedProxy(entry)
		if err != nil {
			return nil, fmt.Errorf("TRUSTED_PROXIES: %q: %w", entry, err)
		}
		out = append(out, p)
	}
	return out, nil
}

func parseTrustedProxy(entry string) (netip.Prefix, error) {
	if strings.Contains(entry, "%") {
		return netip.Prefix{}, fmt.Errorf("IPv6 zones are not allowed")
	}
	if strings.Contains(entry, "/") {
		p, err := netip.ParsePrefix(entry)
		if err != nil {
			return netip.Prefix{}, fmt.Errorf("not a CIDR (want e.g. 10.0.0.0/8 or 2001:db8::/32)")
		}
		return normalizePrefix(p)
	}
	a, err := netip.ParseAddr(entry)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("not an IP address or CIDR (want e.g. 127.0.0.1, ::1 or 10.0.0.0/8)")
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// normalizePrefix clears host bits and turns an IPv4-mapped IPv6 prefix
// into the IPv4 one, so that it matches the unmapped addresses SourceIP
// compares.
func normalizePrefix(p netip.Prefix) (netip.Prefix, error) {
	if !p.IsValid() {
		return netip.Prefix{}, fmt.Errorf("invalid prefix")
	}
	if p.Addr().Zone() != "" {
		return netip.Prefix{}, fmt.Errorf("IPv6 zones are not allowed")
	}
	if p.Addr().Is4In6() {
		if p.Bits() < 96 {
			return netip.Prefix{}, fmt.Errorf("IPv4-mapped prefix shorter than /96 mixes IPv4 and IPv6")
		}
		p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
	}
	return p.Masked(), nil
}

func trusts(trusted []netip.Prefix, a netip.Addr) bool {
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// SourceIP is the caller's address as API Gateway would report it in
// requestContext.http.sourceIp.
//
// It is the TCP peer's address unless that peer is inside trusted (the
// proxies or load balancers in front of this server, as parsed by
// ParseTrustedProxies; none by default). Only then is X-Forwarded-For
// consulted: all its header lines are joined, and its hops are walked from
// the right, skipping hops that are themselves trusted; the first untrusted
// hop is the source IP. A hop that is not a plain IP address (junk, a port,
// an IPv6 zone) stops the walk and the last trusted address seen is used,
// since anything further left was written by whoever sent that junk. When
// every hop is trusted the leftmost one is used. Addresses are normalised:
// IPv4-mapped IPv6 becomes IPv4, and the peer's zone is dropped.
//
// So with no trusted proxies a client cannot choose its source IP, and
// allowedCidrs, IP blocks and the audit log see the real peer.
func SourceIP(r *http.Request, trusted []netip.Prefix) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	peer, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	peer = peer.WithZone("").Unmap()
	if !trusts(trusted, peer) {
		return peer.String()
	}
	hops := r.Header.Values("X-Forwarded-For")
	if len(hops) == 0 {
		return peer.String()
	}
	hops = strings.Split(strings.Join(hops, ","), ",")
	last := peer
	for i := len(hops) - 1; i >= 0; i-- {
		hop, ok := parseHop(hops[i])
		if !ok {
			break
		}
		last = hop
		if !trusts(trusted, hop) {
			break
		}
	}
	return last.String()
}

// parseHop reads one X-Forwarded-For hop: a plain IP address without a zone.
func parseHop(s string) (netip.Addr, bool) {
	a, err := netip.ParseAddr(strings.TrimSpace(s))
	if err != nil || a.Zone() != "" {
		return netip.Addr{}, false
	}
	return a.Unmap(), true
}
