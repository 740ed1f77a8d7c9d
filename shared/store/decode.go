package store

import (
	"fmt"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// decodeRecord reads a token item without reflection: validate decodes one
// on every cache miss, where attributevalue.UnmarshalMap costs more than the
// rest of the miss together. It accepts exactly what UnmarshalMap would for
// a Record (tests hold the two to the same answers, field by field):
// attributes it does not know are ignored, NULL is the zero value, and an
// attribute of the wrong type is an error.
func decodeRecord(item map[string]types.AttributeValue) (*Record, error) {
	t := &Record{}
	for name, v := range item {
		if _, null := v.(*types.AttributeValueMemberNULL); null {
			continue
		}
		var err error
		switch name {
		case "PK":
			t.PK, err = str(v)
		case "SK":
			t.SK, err = str(v)
		case "id":
			t.ID, err = str(v)
		case "owner":
			t.Owner, err = str(v)
		case "name":
			t.Name, err = str(v)
		case "description":
			t.Description, err = str(v)
		case "scopes":
			t.Scopes, err = strSet(v)
		case "secretHash":
			t.SecretHash, err = bin(v)
		case "keyId":
			t.KeyID, err = str(v)
		case "prevSecretHash":
			t.PrevSecretHash, err = bin(v)
		case "prevKeyId":
			t.PrevKeyID, err = str(v)
		case "prevValidUntil":
			t.PrevValidUntil, err = num(v)
		case "status":
			t.Status, err = str(v)
		case "createdAt":
			t.CreatedAt, err = num(v)
		case "updatedAt":
			t.UpdatedAt, err = num(v)
		case "expiresAt":
			t.ExpiresAt, err = num(v)
		case "lastUsedAt":
			t.LastUsedAt, err = num(v)
		case "lastUsedIp":
			t.LastUsedIP, err = str(v)
		case "allowedCidrs":
			t.AllowedCIDRs, err = strSet(v)
		case "blockedIps":
			t.BlockedIPs, err = strSet(v)
		case "version":
			t.Version, err = num(v)
		case TTLAttribute:
			t.ExpiresTTL, err = num(v)
		case "lifetime":
			t.Lifetime, err = num(v)
		case "secretAt":
			t.SecretAt, err = num(v)
		case "activatedAt":
			t.ActivatedAt, err = num(v)
		case "revokedAt":
			t.RevokedAt, err = num(v)
		case "expiredAt":
			t.ExpiredAt, err = num(v)
		case "notifiedAt":
			t.NotifiedAt, err = num(v)
		case "plan":
			t.Plan, err = str(v)
		case "quota":
			t.Quota, err = str(v)
		case "usageKey":
			t.UsageKey, err = str(v)
		case "metadata":
			t.Metadata, err = strMap(v)
		case "ownerMetadata":
			t.OwnerMetadata, err = strMap(v)
		case "ownerMetaSum":
			t.OwnerMetaSum, err = str(v)
		case "ownerDisabled":
			t.OwnerDisabled, err = boolean(v)
		case "admin":
			t.Admin, err = boolean(v)
		case "GSI1PK":
			t.GSI1PK, err = str(v)
		case "GSI1SK":
			t.GSI1SK, err = str(v)
		case "GSI2PK":
			t.GSI2PK, err = str(v)
		case "GSI2SK":
			t.GSI2SK, err = str(v)
		case "GSI3PK":
			t.GSI3PK, err = str(v)
		case "GSI3SK":
			t.GSI3SK, err = str(v)
		}
		if err != nil {
			return nil, fmt.Errorf("store: decode token attribute %s: %w", name, err)
		}
	}
	return t, nil
}

func str(v types.AttributeValue) (string, error) {
	if s, ok := v.(*types.AttributeValueMemberS); ok {
		return s.Value, nil
	}
	return "", fmt.Errorf("want S, have %T", v)
}

func num(v types.AttributeValue) (int64, error) {
	n, ok := v.(*types.AttributeValueMemberN)
	if !ok {
		return 0, fmt.Errorf("want N, have %T", v)
	}
	return strconv.ParseInt(n.Value, 10, 64)
}

func bin(v types.AttributeValue) ([]byte, error) {
	if b, ok := v.(*types.AttributeValueMemberB); ok {
		return b.Value, nil
	}
	return nil, fmt.Errorf("want B, have %T", v)
}

func strMap(v types.AttributeValue) (map[string]string, error) {
	m, ok := v.(*types.AttributeValueMemberM)
	if !ok {
		return nil, fmt.Errorf("want M, have %T", v)
	}
	out := make(map[string]string, len(m.Value))
	for k, e := range m.Value {
		x, err := str(e)
		if err != nil {
			return nil, err
		}
		out[k] = x
	}
	return out, nil
}

func strSet(v types.AttributeValue) ([]string, error) {
	switch s := v.(type) {
	case *types.AttributeValueMemberSS:
		return s.Value, nil
	case *types.AttributeValueMemberL: // what a list of strings was written as
		out := make([]string, 0, len(s.Value))
		for _, e := range s.Value {
			x, err := str(e)
			if err != nil {
				return nil, err
			}
			out = append(out, x)
		}
		return out, nil
	}
	return nil, fmt.Errorf("want SS, have %T", v)
}

func boolean(v types.AttributeValue) (bool, error) {
	if b, ok := v.(*types.AttributeValueMemberBOOL); ok {
		return b.Value, nil
	}
	return false, fmt.Errorf("want BOOL, have %T", v)
}
