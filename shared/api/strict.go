package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
)

// errDuplicateKey and fieldNameError come from checkKeys, which runs before
// encoding/json: that package matches object keys to fields without regard
// to case ("Owner" fills owner) and lets a repeated key overwrite the first,
// so two readers of one body could disagree about what it asks.
var errDuplicateKey = errors.New("duplicate key")

type fieldNameError struct{ name string }

func (e *fieldNameError) Error() string { return fmt.Sprintf("unknown field %q", e.name) }

// checkKeys walks the JSON value in body: no object may repeat a key, and
// the top-level object's keys must be exactly json names of dst's fields.
func checkKeys(body []byte, dst any) error {
	allowed := jsonNames(reflect.TypeOf(dst))
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	return walkValue(dec, allowed, true)
}

func walkValue(dec *json.Decoder, allowed map[string]bool, top bool) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	switch tok {
	case json.Delim('{'):
		seen := map[string]bool{}
		for dec.More() {
			k, err := dec.Token()
			if err != nil {
				return err
			}
			key, _ := k.(string)
			if seen[key] {
				return fmt.Errorf("%w %q", errDuplicateKey, key)
			}
			seen[key] = true
			if top && allowed != nil && !allowed[key] {
				return &fieldNameError{name: key}
			}
			if err := walkValue(dec, nil, false); err != nil {
				return err
			}
		}
		_, err = dec.Token()
		return err
	case json.Delim('['):
		for dec.More() {
			if err := walkValue(dec, nil, false); err != nil {
				return err
			}
		}
		_, err = dec.Token()
		return err
	}
	return nil
}

// jsonNames lists the exact json names of a struct's fields (nil for a
// type that is not a struct or pointer to one: no check).
func jsonNames(t reflect.Type) map[string]bool {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil || t.Kind() != reflect.Struct {
		return nil
	}
	names := map[string]bool{}
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch {
		case f.Anonymous && name == "":
			// encoding/json promotes an embedded struct's fields.
			for n := range jsonNames(f.Type) {
				names[n] = true
			}
		case name == "-" || !f.IsExported():
		case name == "":
			names[f.Name] = true
		default:
			names[name] = true
		}
	}
	return names
}

// decodeStrict is checkKeys, then encoding/json with unknown fields and
// trailing data refused.
func decodeStrict(body []byte, dst any) error {
	if err := checkKeys(body, dst); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errTrailing
	}
	return nil
}

var errTrailing = errors.New("data after the JSON object")
