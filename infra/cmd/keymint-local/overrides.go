package main

import (
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/keymint/keymint/internal/localrt"
	"github.com/keymint/keymint/internal/stack"
)

// settingsDocs is where a user finds the settings a function takes.
const settingsDocs = `docs/configuration.md (the variables) and template.yaml's Parameters`

// ErrOverride marks a setting override (ENV_VARS file or SET) that the
// local stack refuses before it starts anything.
var ErrOverride = errors.New("setting override refused")

var settingName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// parseSet reads SET: space-separated NAME=value pairs (a value may be
// empty, and may not hold a space).
func parseSet(set string) (map[string]string, error) {
	out := map[string]string{}
	for _, pair := range strings.Fields(set) {
		name, value, ok := strings.Cut(pair, "=")
		if !ok || !settingName.MatchString(name) {
			return nil, fmt.Errorf("%w: SET: %q is not NAME=value (SET='NAME=value NAME2=value2'; settings: %s)", ErrOverride, pair, settingsDocs)
		}
		if _, dup := out[name]; dup {
			return nil, fmt.Errorf("%w: SET names %s twice", ErrOverride, name)
		}
		out[name] = value
	}
	return out, nil
}

// withOverrides reads the user's overrides: the `sam local --env-vars`
// file envVarsFile ("" none), then SET, which applies to every function
// that declares each NAME, over the file's values. Each must name what the
// template declares: a function of it, and a variable that function (or,
// under "Parameters" and in SET, any function) declares. SAM ignores the
// rest silently; here it is refused, naming it, since a mistyped setting
// that changes nothing is worse than a stop.
func (s settings) withOverrides(st *stack.Stack, envVarsFile, set string) (settings, error) {
	pairs, err := parseSet(set)
	if err != nil {
		return s, err
	}
	over := map[string]map[string]string{}
	if envVarsFile != "" {
		if over, err = localrt.ReadEnvVars(envVarsFile); err != nil {
			return s, fmt.Errorf("%w: ENV_VARS: %w", ErrOverride, err)
		}
		if err := checkEnvVars(st, envVarsFile, over); err != nil {
			return s, err
		}
	}
	for _, name := range slices.Sorted(maps.Keys(pairs)) {
		if len(declaring(st, name)) == 0 {
			return s, fmt.Errorf("%w: SET: no function of %s declares %s, so it would change nothing; settings: %s",
				ErrOverride, s.template, name, settingsDocs)
		}
		// Over the file's values, its function sections included.
		for scope, vars := range over {
			if _, ok := vars[name]; ok && scope != "Parameters" {
				vars[name] = pairs[name]
			}
		}
		if over["Parameters"] == nil {
			over["Parameters"] = map[string]string{}
		}
		over["Parameters"][name] = pairs[name]
	}
	if len(over) > 0 {
		s.envVars = over
	}
	s.overrides = describeOverrides(st, over)
	return s, nil
}

func checkEnvVars(st *stack.Stack, file string, over map[string]map[string]string) error {
	for _, scope := range slices.Sorted(maps.Keys(over)) {
		if scope != "Parameters" && st.Functions[scope] == nil {
			return fmt.Errorf("%w: ENV_VARS %s: %q is neither \"Parameters\" nor a function of the template (%s); settings: %s",
				ErrOverride, file, scope, strings.Join(slices.Sorted(maps.Keys(st.Functions)), ", "), settingsDocs)
		}
		for _, name := range slices.Sorted(maps.Keys(over[scope])) {
			declared := slices.Contains(declaring(st, name), scope)
			if scope == "Parameters" {
				declared = len(declaring(st, name)) > 0
			}
			if !declared {
				return fmt.Errorf("%w: ENV_VARS %s: %s.%s: the template does not declare %s there, so it would change nothing; settings: %s",
					ErrOverride, file, scope, name, name, settingsDocs)
			}
		}
	}
	return nil
}

// declaring lists the functions whose template environment declares name.
func declaring(st *stack.Stack, name string) []string {
	var ids []string
	for _, id := range slices.Sorted(maps.Keys(st.Functions)) {
		if _, ok := st.Functions[id].Env[name]; ok {
			ids = append(ids, id)
		}
	}
	return ids
}

// describeOverrides is one line per setting and value in effect, with the
// functions it reaches, for start-up output.
func describeOverrides(st *stack.Stack, over map[string]map[string]string) []string {
	names := map[string]bool{}
	for _, vars := range over {
		for name := range vars {
			names[name] = true
		}
	}
	var lines []string
	for _, name := range slices.Sorted(maps.Keys(names)) {
		byValue := map[string][]string{}
		for _, id := range declaring(st, name) {
			v, ok := over["Parameters"][name]
			if fv, fok := over[id][name]; fok {
				v, ok = fv, true
			}
			if ok {
				byValue[v] = append(byValue[v], id)
			}
		}
		for _, v := range slices.Sorted(maps.Keys(byValue)) {
			fns := byValue[v]
			where := strings.Join(fns, ", ")
			if len(fns) == len(st.Functions) {
				where = fmt.Sprintf("all %d functions", len(fns))
			}
			lines = append(lines, fmt.Sprintf("%s=%s (%s)", name, v, where))
		}
	}
	return lines
}
