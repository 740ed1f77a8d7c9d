package faultproxy

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// forward sends the request to the target and relays the answer, or, with
// dropAnswer, waits for the whole answer and then cuts the client off.
//
// It is hand-written rather than httputil.ReverseProxy because DropAfter
// needs the complete upstream response in hand before deciding not to send
// it, and because ReverseProxy rewrites headers (X-Forwarded-For) that we
// want to leave alone.
func (p *Proxy) forward(w http.ResponseWriter, r *http.Request, op string, body []byte, dropAnswer bool) {
	// WithoutCancel: once DynamoDB has the request it finishes it whatever
	// the client does, and the proxy should model that, not abort the
	// upstream call when the client hangs up.
	ctx := context.WithoutCancel(r.Context())
	out, err := http.NewRequestWithContext(ctx, r.Method, p.upstreamURL(r), bytes.NewReader(body))
	if err != nil {
		http.Error(w, "faultproxy: "+err.Error(), http.StatusBadGateway)
		return
	}
	// Same header values the SDK signed (SigV4 covers host, x-amz-date,
	// x-amz-target, content-type, ...), minus hop-by-hop ones that belong
	// to the client's connection, not the request.
	out.Header = make(http.Header, len(r.Header))
	for k, vv := range r.Header {
		if !hopByHop(k) {
			out.Header[k] = vv
		}
	}
	out.Host = r.Host

	resp, err := p.transport.RoundTrip(out)
	if err != nil {
		http.Error(w, "faultproxy: upstream: "+err.Error(), http.StatusBadGateway)
		return
	}
	respBody, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		http.Error(w, "faultproxy: upstream body: "+err.Error(), http.StatusBadGateway)
		return
	}
	p.count(p.forwarded, op)

	if dropAnswer {
		drop(w)
		return
	}
	h := w.Header()
	for k, vv := range resp.Header {
		if !hopByHop(k) {
			h[k] = vv
		}
	}
	// The body is relayed whole, so its length is known even if upstream
	// chunked it.
	h.Set("Content-Length", strconv.Itoa(len(respBody)))
	// nil stops net/http adding headers upstream did not send.
	for _, k := range []string{"Content-Type", "Date"} {
		if _, ok := h[k]; !ok {
			h[k] = nil
		}
	}
	w.WriteHeader(resp.StatusCode)
	w.Write(respBody)
}

// upstreamURL is the target with the request's path and query.
func (p *Proxy) upstreamURL(r *http.Request) string {
	u := *p.target
	u.Path = strings.TrimSuffix(u.Path, "/") + r.URL.Path
	u.RawPath = ""
	if r.URL.RawPath != "" {
		u.RawPath = strings.TrimSuffix(p.target.EscapedPath(), "/") + r.URL.RawPath
	}
	u.RawQuery = r.URL.RawQuery
	return u.String()
}

// hopByHop reports the headers RFC 9110 section 7.6.1 says a proxy must not
// forward. Content-Length is written by net/http from the body on both legs.
func hopByHop(name string) bool {
	switch http.CanonicalHeaderKey(name) {
	case "Connection", "Keep-Alive", "Proxy-Connection", "Proxy-Authenticate",
		"Proxy-Authorization", "Te", "Trailer", "Transfer-Encoding", "Upgrade":
		return true
	}
	return false
}
