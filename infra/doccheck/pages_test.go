package doccheck

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/keymint/keymint/internal/testkit"
)

// Every page's tables render and its relative links lead somewhere.
func TestPagesRender(t *testing.T) {
	t.Parallel()
	repo, err := testkit.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	pages, err := Pages(repo)
	if err != nil {
		t.Fatal(err)
	}
	if len(pages) < 3 {
		t.Fatalf("found only %v", pages)
	}
	for _, p := range pages {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(repo, p)
		for _, problem := range append(TableProblems(rel, data), LinkProblems(p, data)...) {
			t.Error(problem)
		}
	}
}

func TestTableProblems(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		page string
		want int
	}{
		"fine":                {"| a | b |\n|---|---|\n| 1 | `x \\| y` |\n\ntext\n", 0},
		"paragraph inside":    {"| a | b |\n|---|---|\n| 1 | 2 |\n\nA paragraph.\n| 3 | 4 |\n| 5 | 6 |\n", 1},
		"missing cell":        {"| a | b |\n|---|---|\n| 1 |\n", 1},
		"no separator":        {"| a | b |\n| 1 | 2 |\n", 1},
		"pipes in code block": {"```\n| not | a table |\n```\n", 0},
	}
	for name, c := range cases {
		if got := TableProblems("p.md", []byte(c.page)); len(got) != c.want {
			t.Errorf("%s: %d problems %q, want %d", name, len(got), got, c.want)
		}
	}
}

func TestAnchors(t *testing.T) {
	t.Parallel()
	page := "# The web console\n## What `make run` starts\n## Validate: the hot path, logs\n### (a) Amazon Cognito, made by the stack\n## Usage\n## Usage\n```\n# not a heading\n```\n#hashtag\n"
	want := map[string]bool{
		"the-web-console": true, "what-make-run-starts": true, "validate-the-hot-path-logs": true,
		"a-amazon-cognito-made-by-the-stack": true, "usage": true, "usage-1": true,
	}
	if got := Anchors([]byte(page)); !reflect.DeepEqual(got, want) {
		t.Errorf("anchors %v, want %v", got, want)
	}
}

func TestLinkProblems(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	other := filepath.Join(dir, "other.md")
	if err := os.WriteFile(other, []byte("# Other\n## A section\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	page := filepath.Join(dir, "page.md")
	body := "# Page\n[ok](other.md) [ok](other.md#a-section) [ok](#page) [web](https://example.com/x)\n" +
		"[bad](missing.md) [bad](other.md#nope) [bad](#nope)\n```\n[in code](nowhere.md)\n```\n"
	if err := os.WriteFile(page, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	if got := LinkProblems(page, []byte(body)); len(got) != 3 {
		t.Errorf("problems %q, want 3", got)
	}
}
