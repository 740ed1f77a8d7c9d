package store

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/netip"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/keymint/keymint/shared/token"
)

// maxCursorLen bounds what is decoded at all; real cursors are far shorter.
const maxCursorLen = 1024

// pageShape is the exact key a listing's cursor must hold, attribute by
// attribute. DynamoDB's LastEvaluatedKey of a table query is the table key,
// and of an index query the table key plus the index key
// (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Query.Pagination.html),
// so anything else did not come from that listing: a crafted cursor is
// refused here as bad input instead of reaching DynamoDB as a
// ValidationException, and can never start a page in another owner's or
// token's items.
type pageShape map[string]func(string) bool

func equals(want string) func(string) bool { return func(v string) bool { return v == want } }

func isTokenPK(v string) bool {
	id, ok := strings.CutPrefix(v, "TOKEN#")
	return ok && token.ValidID(id)
}

// isSortedID matches "<12-digit epoch>#<token id>" (GSI1SK, GSI2SK).
func isSortedID(v string) bool {
	ts, id, ok := strings.Cut(v, "#")
	if !ok || len(ts) != 12 || !token.ValidID(id) {
		return false
	}
	for i := 0; i < len(ts); i++ {
		if ts[i] < '0' || ts[i] > '9' {
			return false
		}
	}
	return true
}

func tokenKeyShape(index map[string]func(string) bool) pageShape {
	s := pageShape{"PK": isTokenPK, "SK": equals(metaSK)}
	for k, f := range index {
		s[k] = f
	}
	return s
}

func ownerPage(owner string) pageShape {
	return tokenKeyShape(map[string]func(string) bool{"GSI1PK": equals(ownerPK(owner)), "GSI1SK": isSortedID})
}

func duePage(shard int) pageShape {
	return tokenKeyShape(map[string]func(string) bool{"GSI2PK": equals(sweepPK(shard)), "GSI2SK": isSortedID})
}

var adminsPage = tokenKeyShape(map[string]func(string) bool{
	"GSI3PK": equals(adminsPK),
	"GSI3SK": func(v string) bool {
		owner, id, ok := strings.Cut(v, "#")
		return ok && owner != "" && token.ValidID(id)
	},
})

func usagePage(tokenID string) pageShape {
	return pageShape{"PK": equals(tokenPK(tokenID)), "SK": func(v string) bool {
		ip, ok := strings.CutPrefix(v, ipSKPre)
		a, err := netip.ParseAddr(ip)
		return ok && err == nil && a.Zone() == "" && a.String() == ip
	}}
}

func auditPage(pk string) pageShape {
	return pageShape{"PK": equals(pk), "SK": func(v string) bool {
		rest, ok := strings.CutPrefix(v, auditSK)
		return ok && len(rest) > len(auditTime)
	}}
}

func encodeCursor(lek map[string]types.AttributeValue) (string, error) {
	if len(lek) == 0 {
		return "", nil
	}
	plain := make(map[string]string, len(lek))
	for k, v := range lek {
		s, ok := v.(*types.AttributeValueMemberS)
		if !ok {
			return "", fmt.Errorf("store: cursor key %s is not a string", k)
		}
		plain[k] = s.Value
	}
	raw, err := json.Marshal(plain)
	if err != nil {
		return "", fmt.Errorf("store: encode cursor: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(raw), nil
}

// decodeCursor turns a cursor back into an ExclusiveStartKey, or
// ErrBadCursor unless it has exactly the listing's shape.
func decodeCursor(cursor string, shape pageShape) (map[string]types.AttributeValue, error) {
	if cursor == "" {
		return nil, nil
	}
	if len(cursor) > maxCursorLen {
		return nil, ErrBadCursor
	}
	raw, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil {
		return nil, ErrBadCursor
	}
	var plain map[string]string
	if err := json.Unmarshal(raw, &plain); err != nil || len(plain) != len(shape) {
		return nil, ErrBadCursor
	}
	out := make(map[string]types.AttributeValue, len(plain))
	for k, v := range plain {
		ok := shape[k]
		if ok == nil || !ok(v) {
			return nil, ErrBadCursor
		}
		out[k] = &types.AttributeValueMemberS{Value: v}
	}
	return out, nil
}
