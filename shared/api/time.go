package api

import (
	"bytes"
	"encoding/json"
	"time"
)

// rfc3339 is a JSON time field that must be RFC 3339; a bad value becomes a
// field error naming it.
type rfc3339 struct {
	t time.Time
}

func (r *rfc3339) UnmarshalJSON(b []byte) error {
	var s string
	if bytes.Equal(b, []byte("null")) {
		return nil
	}
	if err := json.Unmarshal(b, &s); err != nil {
		return &timeFieldError{field: "expiresAt"}
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return &timeFieldError{field: "expiresAt"}
	}
	r.t = t
	return nil
}

func (r *rfc3339) time() *time.Time {
	if r == nil || r.t.IsZero() {
		return nil
	}
	return &r.t
}
