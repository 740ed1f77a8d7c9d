package samschema

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func jsonType(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	case json.Number:
		if _, err := v.Int64(); err == nil {
			return "integer"
		}
		if f, err := v.Float64(); err == nil && f == float64(int64(f)) {
			return "integer"
		}
		return "number"
	}
	return fmt.Sprintf("%T", v)
}

// isIntrinsic: {"Ref": ..}, {"Condition": ..} or {"Fn::...": ..}.
func isIntrinsic(v any) bool {
	m, ok := v.(map[string]any)
	if !ok || len(m) != 1 {
		return false
	}
	for k := range m {
		return k == "Ref" || k == "Condition" || strings.HasPrefix(k, "Fn::")
	}
	return false
}

func child(v any, key string) any {
	switch v := v.(type) {
	case map[string]any:
		return v[key]
	case []any:
		if i, err := strconv.Atoi(key); err == nil && i >= 0 && i < len(v) {
			return v[i]
		}
	}
	return nil
}

func valueAt(doc any, path []string) any {
	for _, k := range path {
		doc = child(doc, k)
	}
	return doc
}

// forEachIntrinsic calls fn with the path of every intrinsic, outermost only.
func forEachIntrinsic(v any, path []string, fn func([]string)) {
	if isIntrinsic(v) {
		fn(slices.Clone(path))
		return
	}
	switch v := v.(type) {
	case map[string]any:
		for k, c := range v {
			forEachIntrinsic(c, append(path, k), fn)
		}
	case []any:
		for i, c := range v {
			forEachIntrinsic(c, append(path, strconv.Itoa(i)), fn)
		}
	}
}

func pointer(path []string) string {
	var b strings.Builder
	for _, p := range path {
		b.WriteByte('/')
		b.WriteString(strings.ReplaceAll(strings.ReplaceAll(p, "~", "~0"), "/", "~1"))
	}
	if b.Len() == 0 {
		return "/"
	}
	return b.String()
}

func dotted(path []string) string {
	if len(path) == 0 {
		return "(template)"
	}
	return strings.Join(path, ".")
}
