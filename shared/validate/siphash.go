package validate

import (
	"encoding/binary"
	"math/bits"
)

// sipKey keys the decision cache's hash: drawn at random per process, so
// nobody outside can aim two tokens at one cache entry.
type sipKey struct{ k0, k1 uint64 }

// sum128 is SipHash-2-4 with its 128-bit output (Aumasson and Bernstein,
// https://www.aumasson.jp/siphash/siphash.pdf; the reference code's
// vectors are in the tests). It is a keyed pseudorandom function fast
// enough for every request: the decision cache is keyed by it, so the cache
// holds no token, and a forged cache hit needs a 128-bit collision under a
// key nobody outside knows.
func (k sipKey) sum128(m []byte) (out [16]byte) {
	v0 := k.k0 ^ 0x736f6d6570736575
	v1 := k.k1 ^ 0x646f72616e646f6d ^ 0xee
	v2 := k.k0 ^ 0x6c7967656e657261
	v3 := k.k1 ^ 0x7465646279746573
	n := len(m)
	for len(m) >= 8 {
		w := binary.LittleEndian.Uint64(m)
		v3 ^= w
		v0, v1, v2, v3 = sipRound(v0, v1, v2, v3)
		v0, v1, v2, v3 = sipRound(v0, v1, v2, v3)
		v0 ^= w
		m = m[8:]
	}
	last := uint64(n) << 56
	for i := len(m) - 1; i >= 0; i-- {
		last |= uint64(m[i]) << (8 * i)
	}
	v3 ^= last
	v0, v1, v2, v3 = sipRound(v0, v1, v2, v3)
	v0, v1, v2, v3 = sipRound(v0, v1, v2, v3)
	v0 ^= last
	v2 ^= 0xee
	for range 4 {
		v0, v1, v2, v3 = sipRound(v0, v1, v2, v3)
	}
	binary.LittleEndian.PutUint64(out[:8], v0^v1^v2^v3)
	v1 ^= 0xdd
	for range 4 {
		v0, v1, v2, v3 = sipRound(v0, v1, v2, v3)
	}
	binary.LittleEndian.PutUint64(out[8:], v0^v1^v2^v3)
	return out
}

func sipRound(v0, v1, v2, v3 uint64) (uint64, uint64, uint64, uint64) {
	v0 += v1
	v1 = bits.RotateLeft64(v1, 13)
	v1 ^= v0
	v0 = bits.RotateLeft64(v0, 32)
	v2 += v3
	v3 = bits.RotateLeft64(v3, 16)
	v3 ^= v2
	v0 += v3
	v3 = bits.RotateLeft64(v3, 21)
	v3 ^= v0
	v2 += v1
	v1 = bits.RotateLeft64(v1, 17)
	v1 ^= v2
	v2 = bits.RotateLeft64(v2, 32)
	return v0, v1, v2, v3
}
