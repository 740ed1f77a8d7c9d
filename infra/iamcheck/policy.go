package iamcheck

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/keymint/keymint/internal/cfn"
)

// Policies reads each function's "action@resource" set from template.yaml.
func Policies(templatePath string) (map[string][]string, error) {
	raw, err := os.ReadFile(templatePath)
	if err != nil {
		return nil, err
	}
	js, err := cfn.ToJSON(raw)
	if err != nil {
		return nil, err
	}
	// Properties are read per resource type: other resources have
	// properties of the same name and another shape (a Cognito user pool's
	// Policies is its password policy).
	var tpl struct {
		Resources map[string]struct {
			Type       string
			Properties json.RawMessage
		}
	}
	if err := json.Unmarshal(js, &tpl); err != nil {
		return nil, fmt.Errorf("template shape: %w", err)
	}
	out := map[string][]string{}
	for id, r := range tpl.Resources {
		if r.Type != "AWS::Serverless::Function" {
			continue
		}
		var props struct {
			Policies []struct {
				Statement []struct {
					Effect   string
					Action   any
					Resource any
				}
			}
		}
		if err := json.Unmarshal(r.Properties, &props); err != nil {
			return nil, fmt.Errorf("template shape: %s: %w", id, err)
		}
		set := map[string]bool{}
		for _, p := range props.Policies {
			for _, st := range p.Statement {
				if st.Effect != "Allow" {
					continue
				}
				for _, a := range strings1(st.Action) {
					for _, res := range resources(st.Resource) {
						set[a+"@"+res] = true
					}
				}
			}
		}
		for k := range set {
			out[id] = append(out[id], k)
		}
		sort.Strings(out[id])
	}
	return out, nil
}

func strings1(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, e := range x {
			out = append(out, strings1(e)...)
		}
		return out
	}
	return nil
}

// resources names what a statement's Resource points at, by the template
// resource or ARN shape it refers to.
func resources(v any) []string {
	if list, ok := v.([]any); ok {
		var out []string
		for _, e := range list {
			out = append(out, resources(e)...)
		}
		return out
	}
	raw, _ := json.Marshal(v)
	s := string(raw)
	switch {
	case strings.Contains(s, "/index/"):
		i := strings.Index(s, "/index/")
		name := strings.TrimRight(s[i+len("/index/"):], `"]}`)
		return []string{"index/" + name}
	case strings.Contains(s, "TokenTable"):
		return []string{Table}
	case strings.Contains(s, "KeyringSecret"):
		return []string{Secret}
	case strings.Contains(s, "event-bus"):
		return []string{EventBus}
	case strings.Contains(s, ":apigateway:") && strings.Contains(s, "::/"):
		path := s[strings.Index(s, "::/")+2:]
		return []string{APIGateway + strings.TrimRight(path, `"]}`)}
	}
	return []string{"unknown:" + s}
}
