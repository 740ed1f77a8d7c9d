package localapi_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/keymint/keymint/internal/localapi"
	"github.com/keymint/keymint/internal/stack"
)

func mustTrusted(t *testing.T, s string) []netip.Prefix {
	t.Helper()
	p, err := localapi.ParseTrustedProxies(s)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestSourceIP(t *testing.T) {
	t.Parallel()
	const proxies = "127.0.0.1, 10.0.0.0/8, ::1, fd00::/8"
	tests := []struct {
		name    string
		trusted string
		peer    string
		xff     []string // one element per X-Forwarded-For header line
		want    string
	}{
		{"no trusted proxies, no header", "", "192.0.2.10:4444", nil, "192.0.2.10"},
		{"no trusted proxies, forged header from loopback", "", "127.0.0.1:1234", []string{"203.0.113.9"}, "127.0.0.1"},
		{"no trusted proxies, forged header from IPv6 loopback", "", "[::1]:1234", []string{"203.0.113.9"}, "::1"},
		{"peer outside the list", proxies, "198.51.100.7:1234", []string{"203.0.113.9"}, "198.51.100.7"},
		{"trusted peer without header", proxies, "127.0.0.1:1234", nil, "127.0.0.1"},
		{"trusted peer, single hop", proxies, "127.0.0.1:1234", []string{"203.0.113.9"}, "203.0.113.9"},
		{"trusted peer, spaces around the hop", proxies, "127.0.0.1:1234", []string{"  203.0.113.9  "}, "203.0.113.9"},
		{"trusted hops on the right are skipped", proxies, "127.0.0.1:1234", []string{"203.0.113.9, 10.1.2.3, 10.0.0.1"}, "203.0.113.9"},
		{"a forged hop left of the real client is ignored", proxies, "127.0.0.1:1234", []string{"198.51.100.66, 203.0.113.9, 10.0.0.1"}, "203.0.113.9"},
		{"an untrusted hop between trusted ones stops the walk", proxies, "127.0.0.1:1234", []string{"10.9.9.9, 203.0.113.9, 10.0.0.1"}, "203.0.113.9"},
		{"junk hop: last trusted address", proxies, "127.0.0.1:1234", []string{"203.0.113.9, junk, 10.0.0.1"}, "10.0.0.1"},
		{"junk rightmost hop: the peer", proxies, "127.0.0.1:1234", []string{"203.0.113.9, not-an-ip"}, "127.0.0.1"},
		{"empty hop is junk", proxies, "127.0.0.1:1234", []string{"203.0.113.9,,10.0.0.1"}, "10.0.0.1"},
		{"hop with a port is junk", proxies, "127.0.0.1:1234", []string{"203.0.113.9:5555"}, "127.0.0.1"},
		{"hop with an IPv6 zone is junk", proxies, "127.0.0.1:1234", []string{"fe80::1%eth0, 10.0.0.1"}, "10.0.0.1"},
		{"all hops trusted: the leftmost", proxies, "127.0.0.1:1234", []string{"10.0.0.3, 10.0.0.2, 10.0.0.1"}, "10.0.0.3"},
		{"IPv6 peer and hops", proxies, "[::1]:1234", []string{"2001:db8::9, fd00::2, fd12::1"}, "2001:db8::9"},
		{"IPv6 hop is normalised", proxies, "[::1]:1234", []string{"2001:DB8:0:0::9"}, "2001:db8::9"},
		{"IPv6 peer outside the list", proxies, "[2001:db8::7]:1234", []string{"203.0.113.9"}, "2001:db8::7"},
		{"mapped IPv4 peer is matched as IPv4", proxies, "[::ffff:127.0.0.1]:1234", []string{"203.0.113.9"}, "203.0.113.9"},
		{"mapped IPv4 untrusted peer is reported unmapped", "", "[::ffff:192.0.2.10]:1234", []string{"203.0.113.9"}, "192.0.2.10"},
		{"mapped IPv4 hops are unmapped", proxies, "127.0.0.1:1234", []string{"::ffff:203.0.113.9, ::ffff:10.0.0.1"}, "203.0.113.9"},
		{"mapped IPv4 entry in the list", "::ffff:127.0.0.1", "127.0.0.1:1234", []string{"203.0.113.9"}, "203.0.113.9"},
		{"peer zone is dropped", "fe80::/10", "[fe80::1%eth0]:1234", []string{"2001:db8::9"}, "2001:db8::9"},
		{"multiple header lines are joined in order", proxies, "127.0.0.1:1234", []string{"198.51.100.66, 203.0.113.9", "10.0.0.2", "10.0.0.1"}, "203.0.113.9"},
		{"multiple header lines, all trusted", proxies, "127.0.0.1:1234", []string{"10.0.0.2", "10.0.0.1"}, "10.0.0.2"},
		{"multiple header lines, untrusted one last", proxies, "127.0.0.1:1234", []string{"10.0.0.2", "203.0.113.9"}, "203.0.113.9"},
		{"empty header line is junk", proxies, "127.0.0.1:1234", []string{"203.0.113.9", ""}, "127.0.0.1"},
		{"unparsable peer is reported as is", proxies, "pipe", []string{"203.0.113.9"}, "pipe"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = tc.peer
			for _, v := range tc.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			if got := localapi.SourceIP(r, mustTrusted(t, tc.trusted)); got != tc.want {
				t.Errorf("SourceIP = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestParseTrustedProxies(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    []string
		wantErr string // part of the error; "" for none
	}{
		{"", nil, ""},
		{"   ", nil, ""},
		{"127.0.0.1", []string{"127.0.0.1/32"}, ""},
		{"::1", []string{"::1/128"}, ""},
		{" 10.0.0.0/8 , 192.168.1.7,fd00::/8 ", []string{"10.0.0.0/8", "192.168.1.7/32", "fd00::/8"}, ""},
		{"10.0.0.0/8,", []string{"10.0.0.0/8"}, ""},
		{"10.1.2.3/8", []string{"10.0.0.0/8"}, ""},
		{"::ffff:10.0.0.1", []string{"10.0.0.1/32"}, ""},
		{"::ffff:10.0.0.0/104", []string{"10.0.0.0/8"}, ""},
		{"10.0.0.0/8, nope", nil, `"nope"`},
		{"10.0.0.0/33", nil, `"10.0.0.0/33"`},
		{"10.0.0.0/", nil, `"10.0.0.0/"`},
		{"localhost", nil, `"localhost"`},
		{"fe80::1%eth0", nil, "zone"},
		{"fe80::%eth0/64", nil, "zone"},
		{"::ffff:0:0/80", nil, "IPv4-mapped"},
		{"127.0.0.1:8080", nil, `"127.0.0.1:8080"`},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := localapi.ParseTrustedProxies(tc.in)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), "TRUSTED_PROXIES") {
					t.Fatalf("err = %v, want one naming TRUSTED_PROXIES and %s", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var gotS []string
			for _, p := range got {
				gotS = append(gotS, p.String())
			}
			if !slices.Equal(gotS, tc.want) {
				t.Errorf("got %v, want %v", gotS, tc.want)
			}
		})
	}
}

func TestForgedForwardedForThroughServer(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		trusted string
		peer    string
		want    string
	}{
		{"untrusted loopback client", "", "127.0.0.1:4444", "127.0.0.1"},
		{"untrusted remote client", "127.0.0.1", "192.0.2.10:4444", "192.0.2.10"},
		{"trusted proxy", "127.0.0.1", "127.0.0.1:4444", "203.0.113.9"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, true, func(c *localapi.Config) { c.TrustedProxies = mustTrusted(t, tc.trusted) })
			w := f.do("GET", "/tokens/abc", "Bearer allow", nil, func(r *http.Request) {
				r.RemoteAddr = tc.peer
				r.Header.Set("X-Forwarded-For", "203.0.113.9")
			})
			if w.Code != 200 {
				t.Fatalf("status %d %s", w.Code, w.Body)
			}
			az := f.authz.all()[0]
			if got := az.RequestContext.HTTP.SourceIP; got != tc.want {
				t.Errorf("authorizer requestContext.http.sourceIp = %q, want %q", got, tc.want)
			}
			if got := az.Headers["x-forwarded-for"]; got != tc.want {
				t.Errorf("authorizer x-forwarded-for header = %q, want %q", got, tc.want)
			}
			if got := f.calls.all()[0].RequestContext.HTTP.SourceIP; got != tc.want {
				t.Errorf("function requestContext.http.sourceIp = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestNewRejectsInvalidTrustedProxy(t *testing.T) {
	t.Parallel()
	_, err := localapi.New(localapi.Config{
		API:            &stack.HTTPAPI{},
		TrustedProxies: []netip.Prefix{{}},
	})
	if !errors.Is(err, localapi.ErrConfig) {
		t.Fatalf("err = %v, want ErrConfig", err)
	}
}
