package templatecheck_test

// template.yaml against the JSON schema AWS SAM publishes for templates, by
// internal/samschema (how intrinsics are judged is its package doc).

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/keymint/keymint/internal/samschema"
)

// TestTemplateMatchesSAMSchema checks the real template.yaml.
func TestTemplateMatchesSAMSchema(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(root(t), "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := samschema.Load()
	if err != nil {
		t.Fatalf("SAM schema: %v", err)
	}
	rep, err := s.CheckTemplate(data)
	if err != nil {
		t.Fatal(err)
	}
	t.Log(rep.Summary())
	if rep.Serverless == 0 {
		t.Fatal("no AWS::Serverless resources found: is this the SAM template?")
	}
	if len(rep.Findings) > 0 {
		var b strings.Builder
		for _, f := range rep.Findings {
			b.WriteString("\n" + f.String())
		}
		t.Errorf("template.yaml does not match SAM's schema (%d error(s)):%s", len(rep.Findings), b.String())
	}
}
