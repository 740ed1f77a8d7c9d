package validate

import (
	"encoding/binary"
	"encoding/hex"
	"testing"
)

// The reference implementation's vectors (vectors_sip128 in veorq/SipHash):
// key 00 01 … 0f, message i is the bytes 00 01 … (i-1).
func TestSipHash128Vectors(t *testing.T) {
	t.Parallel()
	var key [16]byte
	for i := range key {
		key[i] = byte(i)
	}
	k := sipKey{binary.LittleEndian.Uint64(key[:8]), binary.LittleEndian.Uint64(key[8:])}
	for _, v := range []struct {
		n    int
		want string
	}{
		{0, "a3817f04ba25a8e66df67214c7550293"},
		{1, "da87c1d86b99af44347659119b22fc45"},
		{7, "a1f1ebbed8dbc153c0b84aa61ff08239"},
		{8, "3b62a9ba6258f5610f83e264f31497b4"},
		{15, "5493e99933b0a8117e08ec0f97cfc3d9"},
		{16, "6ee2a4ca67b054bbfd3315bf85230577"},
		{63, "5150d1772f50834a503e069a973fbd7c"},
	} {
		m := make([]byte, v.n)
		for i := range m {
			m[i] = byte(i)
		}
		got := k.sum128(m)
		if hex.EncodeToString(got[:]) != v.want {
			t.Errorf("message of %d bytes: %x, want %s", v.n, got, v.want)
		}
	}
}
