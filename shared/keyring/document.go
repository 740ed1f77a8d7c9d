package keyring

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
)

// MinKeyLen is the shortest pepper accepted, in decoded bytes: HMAC-SHA256
// gains nothing from keys longer than its 32-byte output and loses strength
// with shorter ones.
const MinKeyLen = 32

// Keys is a parsed, validated keyring.
type Keys struct {
	Current string
	Keys    map[string][]byte
	macs    map[string]*macPool // one per key id, built with the keys
}

// ParseKeys decodes and validates a keyring document. Errors wrap
// ErrInvalidKeyring and name key ids but never key material.
func ParseKeys(raw []byte) (Keys, error) {
	var doc struct {
		Current string             `json:"current"`
		Keys    map[string]*string `json:"keys"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		// The json error text only carries offsets and types, never values.
		return Keys{}, fmt.Errorf("keyring: %w: not a keyring JSON object: %w", ErrInvalidKeyring, err)
	}
	if len(doc.Keys) == 0 {
		return Keys{}, fmt.Errorf("keyring: %w: no keys", ErrInvalidKeyring)
	}
	if doc.Current == "" {
		return Keys{}, fmt.Errorf("keyring: %w: no current key id", ErrInvalidKeyring)
	}
	if _, ok := doc.Keys[doc.Current]; !ok {
		return Keys{}, fmt.Errorf("keyring: %w: current key id %q is not among the keys", ErrInvalidKeyring, doc.Current)
	}
	keys := Keys{Current: doc.Current, Keys: make(map[string][]byte, len(doc.Keys)), macs: make(map[string]*macPool, len(doc.Keys))}
	for id, enc := range doc.Keys {
		if strings.TrimSpace(id) == "" {
			return Keys{}, fmt.Errorf("keyring: %w: empty key id", ErrInvalidKeyring)
		}
		if enc == nil {
			return Keys{}, fmt.Errorf("keyring: %w: key %q is null", ErrInvalidKeyring, id)
		}
		key, err := base64.StdEncoding.DecodeString(*enc)
		if err != nil {
			// Only the offset of the bad byte, not the byte itself.
			var corrupt base64.CorruptInputError
			if errors.As(err, &corrupt) {
				return Keys{}, fmt.Errorf("keyring: %w: key %q is not standard base64 (at byte %d)", ErrInvalidKeyring, id, int64(corrupt))
			}
			return Keys{}, fmt.Errorf("keyring: %w: key %q is not standard base64", ErrInvalidKeyring, id)
		}
		if len(key) < MinKeyLen {
			return Keys{}, fmt.Errorf("keyring: %w: key %q has %d bytes, need at least %d", ErrInvalidKeyring, id, len(key), MinKeyLen)
		}
		keys.Keys[id] = key
		keys.macs[id] = newMACPool(key)
	}
	return keys, nil
}

// NewKeyringJSON returns a keyring document holding one fresh random
// MinKeyLen-byte key, current under keyID: the seed for a local file or a new
// Secrets Manager secret.
func NewKeyringJSON(keyID string) ([]byte, error) {
	return newKeyringJSON(rand.Reader, keyID)
}

func newKeyringJSON(r io.Reader, keyID string) ([]byte, error) {
	if strings.TrimSpace(keyID) == "" {
		return nil, fmt.Errorf("keyring: %w: empty key id", ErrInvalidKeyring)
	}
	key := make([]byte, MinKeyLen)
	if _, err := io.ReadFull(r, key); err != nil {
		return nil, fmt.Errorf("keyring: generating key: %w", err)
	}
	doc := map[string]any{
		"current": keyID,
		"keys":    map[string]string{keyID: base64.StdEncoding.EncodeToString(key)},
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("keyring: encoding keyring: %w", err)
	}
	return append(b, '\n'), nil
}

// ids lists the key ids in a stable order.
func (k Keys) ids() []string {
	ids := make([]string, 0, len(k.Keys))
	for id := range k.Keys {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// Format keeps key material out of fmt output: only key ids are printed.
func (k Keys) Format(f fmt.State, _ rune) {
	_, _ = fmt.Fprintf(f, "{Current:%s Keys:%v}", k.Current, k.ids())
}

// LogValue keeps key material out of logs.
func (k Keys) LogValue() slog.Value {
	return slog.GroupValue(slog.String("current", k.Current), slog.Any("ids", k.ids()))
}
