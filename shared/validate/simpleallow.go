package validate

import (
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// simpleAllow is the HTTP API simple response that allows e: the bytes
// encode(events.APIGatewayV2CustomAuthorizerSimpleResponse{IsAuthorized:
// true, Context: e.context()}) gives, written directly. It is made once
// per entry, but a cache miss is an entry's first answer, and there
// encoding/json's reflection over the struct and sorting of the context
// map were a third of validate's own time (BENCHMARKS.md, the miss rows).
// Values encoding/json would escape go to encoding/json itself, so the
// bytes are always its own; TestSimpleAllowIsEncodingJSONs holds both
// paths to it.
func simpleAllow(e *entry) []byte {
	var owner, scopes, id, kind string
	var expires int64
	if p := e.person; p != nil {
		kind, owner, expires = "user", p.owner, p.expires
		scopes = strings.Join(p.scopes, " ")
	} else {
		t := e.item
		kind, owner, id, expires = "token", t.Owner, t.ID, t.ExpiresAt
		scopes = strings.Join(t.Scopes, " ")
	}
	if !jsonPlain(owner) || !jsonPlain(scopes) || !jsonPlain(id) || !jsonPlain(e.plan) || e.item != nil && (len(e.item.Metadata) > 0 || len(e.item.OwnerMetadata) > 0) {
		return encode(events.APIGatewayV2CustomAuthorizerSimpleResponse{IsAuthorized: true, Context: e.context()})
	}
	// encoding/json writes a map's keys sorted: expiresAt, kind, owner,
	// plan (with plans), scopes, tokenId.
	b := make([]byte, 0, 124+len(owner)+len(scopes)+len(id)+len(e.plan))
	b = append(b, `{"isAuthorized":true,"context":{"expiresAt":"`...)
	b = time.Unix(expires, 0).UTC().AppendFormat(b, time.RFC3339)
	b = append(b, `","kind":"`...)
	b = append(b, kind...)
	b = append(b, `","owner":"`...)
	b = append(b, owner...)
	if e.plan != "" {
		b = append(b, `","plan":"`...)
		b = append(b, e.plan...)
	}
	b = append(b, `","scopes":"`...)
	b = append(b, scopes...)
	if e.person == nil {
		b = append(b, `","tokenId":"`...)
		b = append(b, id...)
	}
	b = append(b, `"}}`...)
	return b[:len(b):len(b)]
}
