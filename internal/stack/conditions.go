package stack

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// applyConditions leaves out of the template what CloudFormation would not
// create with r's parameters: every resource and output whose Condition is
// false (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/conditions-section-structure.html).
// It refuses what CloudFormation refuses before creating anything: a
// parameter override the template does not declare, a parameter and a
// resource of the same logical name (one namespace,
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/parameters-section-structure.html),
// a Condition it cannot evaluate, and anything left that refers to a
// resource left out (outside the branch of an Fn::If not taken). Parameter
// overrides are written into the parameters' defaults, where the
// intrinsic handlers read them.
func (r Resolver) applyConditions(js []byte) ([]byte, error) {
	var t map[string]any
	if err := json.Unmarshal(js, &t); err != nil {
		return nil, err
	}
	params, _ := t["Parameters"].(map[string]any)
	for _, name := range slices.Sorted(maps.Keys(r.Parameters)) {
		p, ok := params[name].(map[string]any)
		if !ok {
			return nil, fmt.Errorf("parameter override %s: the template declares no such parameter", name)
		}
		p["Default"] = r.Parameters[name]
	}
	resources, _ := t["Resources"].(map[string]any)
	for _, id := range slices.Sorted(maps.Keys(resources)) {
		if _, dup := params[id]; dup {
			return nil, fmt.Errorf("%s is both a parameter and a resource; logical names must be unique in a template", id)
		}
	}
	removed := map[string]bool{}
	for _, section := range []string{"Resources", "Outputs"} {
		entries, _ := t[section].(map[string]any)
		for _, id := range slices.Sorted(maps.Keys(entries)) {
			e, _ := entries[id].(map[string]any)
			cond, has := e["Condition"]
			if !has {
				continue
			}
			name, _ := cond.(string)
			on, ok := r.condition(name, t, 0)
			if !ok {
				return nil, fmt.Errorf("%s %s: Condition %v is not a condition of the template that can be evaluated", section, id, cond)
			}
			if !on {
				delete(entries, id)
				if section == "Resources" {
					removed[id] = true
				}
			}
		}
	}
	for _, section := range []string{"Resources", "Outputs"} {
		entries, _ := t[section].(map[string]any)
		for _, id := range slices.Sorted(maps.Keys(entries)) {
			if gone := r.refersTo(entries[id], removed, t); gone != "" {
				return nil, fmt.Errorf("%s %s refers to %s, which is not created (its Condition is false)", section, id, gone)
			}
		}
	}
	return json.Marshal(t)
}

// refersTo returns a resource of gone that v refers to (Ref, Fn::GetAtt,
// Fn::Sub, DependsOn), or "". Of an Fn::If only the branch its condition
// takes counts, as in CloudFormation.
func (r Resolver) refersTo(v any, gone map[string]bool, template any) string {
	switch v := v.(type) {
	case []any:
		for _, x := range v {
			if g := r.refersTo(x, gone, template); g != "" {
				return g
			}
		}
	case map[string]any:
		if len(v) == 1 {
			for fn, arg := range v {
				if g, handled := r.intrinsicRefersTo(fn, arg, gone, template); handled {
					return g
				}
			}
		}
		for _, k := range slices.Sorted(maps.Keys(v)) {
			if k == "DependsOn" {
				for _, d := range strs(v[k]) {
					if gone[d] {
						return d
					}
				}
				continue
			}
			if g := r.refersTo(v[k], gone, template); g != "" {
				return g
			}
		}
	}
	return ""
}

// intrinsicRefersTo is refersTo for one intrinsic function; handled is
// false for a map that is none.
func (r Resolver) intrinsicRefersTo(fn string, arg any, gone map[string]bool, template any) (ref string, handled bool) {
	name := func(s string) string {
		if gone[s] {
			return s
		}
		return ""
	}
	switch fn {
	case "Ref":
		s, _ := arg.(string)
		return name(s), true
	case "Fn::GetAtt":
		if list, ok := arg.([]any); ok && len(list) > 0 {
			s, _ := list[0].(string)
			return name(s), true
		}
		s, _ := arg.(string)
		res, _, _ := strings.Cut(s, ".")
		return name(res), true
	case "Fn::Sub":
		src, vars := "", map[string]any{}
		switch a := arg.(type) {
		case string:
			src = a
		case []any:
			if len(a) > 0 {
				src, _ = a[0].(string)
			}
			if len(a) > 1 {
				vars, _ = a[1].(map[string]any)
				if g := r.refersTo(a[1], gone, template); g != "" {
					return g, true
				}
			}
		}
		for _, m := range subVar.FindAllStringSubmatch(src, -1) {
			v := m[1]
			if strings.HasPrefix(v, "!") {
				continue
			}
			if _, local := vars[v]; local {
				continue
			}
			res, _, _ := strings.Cut(v, ".")
			if g := name(res); g != "" {
				return g, true
			}
		}
		return "", true
	case "Fn::If":
		list, ok := arg.([]any)
		if !ok || len(list) != 3 {
			return "", false
		}
		cond, _ := list[0].(string)
		on, known := r.condition(cond, template, 0)
		switch {
		case !known:
			return r.refersTo(list[1:], gone, template), true
		case on:
			return r.refersTo(list[1], gone, template), true
		}
		return r.refersTo(list[2], gone, template), true
	}
	return "", false
}
