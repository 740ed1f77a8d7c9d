package store

import (
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// decodeRecord must answer exactly as attributevalue.UnmarshalMap would, for
// every attribute a Record has: random records, written the way the store
// writes them, decode to equal values both ways.
func TestDecodeRecordMatchesUnmarshalMap(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 2))
	str := func() string {
		if r.IntN(4) == 0 {
			return ""
		}
		return strings.Repeat(string(rune('a'+r.IntN(26))), 1+r.IntN(12))
	}
	strs := func() []string {
		var out []string
		for range r.IntN(4) {
			out = append(out, str()+"x")
		}
		return out
	}
	num := func() int64 { return r.Int64N(1 << 40) }
	meta := func() map[string]string {
		if r.IntN(3) == 0 {
			return nil
		}
		m := map[string]string{}
		for range 1 + r.IntN(3) {
			m[str()+"k"] = str()
		}
		return m
	}
	bin := func() []byte {
		if r.IntN(3) == 0 {
			return nil
		}
		b := make([]byte, 32)
		for i := range b {
			b[i] = byte(r.IntN(256))
		}
		return b
	}
	for i := range 500 {
		in := Record{PK: str(), SK: str(), ID: str(), Owner: str(), Name: str(), Description: str(), Scopes: strs(),
			SecretHash: bin(), KeyID: str(), PrevSecretHash: bin(), PrevKeyID: str(), PrevValidUntil: num(), Status: str(),
			CreatedAt: num(), UpdatedAt: num(), ExpiresAt: num(), LastUsedAt: num(), LastUsedIP: str(),
			AllowedCIDRs: strs(), BlockedIPs: strs(), Version: num(), ExpiresTTL: num(), Lifetime: num(), SecretAt: num(),
			ActivatedAt: num(), RevokedAt: num(), ExpiredAt: num(), NotifiedAt: num(), OwnerDisabled: r.IntN(2) == 0,
			Admin: r.IntN(2) == 0, Plan: str(), Metadata: meta(), OwnerMetadata: meta(), OwnerMetaSum: str(), Quota: str(), GSI1PK: str(), GSI1SK: str(), GSI2PK: str(), GSI2SK: str(), GSI3PK: str(), GSI3SK: str()}
		item, err := attributevalue.MarshalMap(in)
		if err != nil {
			t.Fatal(err)
		}
		var want Record
		if err := attributevalue.UnmarshalMap(item, &want); err != nil {
			t.Fatal(err)
		}
		got, err := decodeRecord(item)
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		if !reflect.DeepEqual(*got, want) {
			t.Fatalf("case %d:\n got %+v\nwant %+v", i, *got, want)
		}
	}
}

// Every field of Record has an attribute decodeRecord reads: a field added
// without teaching the decoder fails here, not in production.
func TestDecodeRecordKnowsEveryAttribute(t *testing.T) {
	t.Parallel()
	typ := reflect.TypeOf(Record{})
	for i := range typ.NumField() {
		f := typ.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("dynamodbav"), ",")
		var v types.AttributeValue
		switch f.Type.Kind() {
		case reflect.String:
			v = &types.AttributeValueMemberS{Value: "x"}
		case reflect.Int64:
			v = &types.AttributeValueMemberN{Value: "7"}
		case reflect.Bool:
			v = &types.AttributeValueMemberBOOL{Value: true}
		case reflect.Slice:
			if f.Type.Elem().Kind() == reflect.Uint8 {
				v = &types.AttributeValueMemberB{Value: []byte{7}}
			} else {
				v = &types.AttributeValueMemberSS{Value: []string{"x"}}
			}
		case reflect.Map:
			v = &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{"k": &types.AttributeValueMemberS{Value: "x"}}}
		default:
			t.Fatalf("field %s has a kind the test does not know: %s", f.Name, f.Type.Kind())
		}
		got, err := decodeRecord(map[string]types.AttributeValue{name: v})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if reflect.ValueOf(*got).Field(i).IsZero() {
			t.Errorf("attribute %s (field %s) is ignored by decodeRecord", name, f.Name)
		}
		var wrong types.AttributeValue = &types.AttributeValueMemberM{}
		if f.Type.Kind() == reflect.Map {
			wrong = &types.AttributeValueMemberS{Value: "x"}
		}
		if _, err := decodeRecord(map[string]types.AttributeValue{name: wrong}); err == nil {
			t.Errorf("attribute %s of the wrong type is accepted", name)
		}
	}
}
