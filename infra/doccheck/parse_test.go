package doccheck

import (
	"errors"
	"os/exec"
	"reflect"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	t.Parallel()
	page := "# Page\n\n<!-- doc: start \"ready\" -->\n```sh\nmake run\n```\n\nText.\n\n" +
		"<!-- doc: run -->\n```sh\nA=1\necho $A\n#> 1\n```\n\n" +
		"<!-- doc: not run: needs an AWS account -->\n```sh\naws s3 ls\n```\n\n" +
		"```json\n{\"not\": \"shell\"}\n```\n\n" +
		"1. In a list:\n\n   <!-- doc: run -->\n   ```sh\n   echo '  two'\n   #>   two\n   ```\n"
	blocks, err := parse("page.md", []byte(page))
	if err != nil {
		t.Fatal(err)
	}
	want := []Block{
		{File: "page.md", Line: 4, Kind: Start, Ready: "ready", Lines: []string{"make run"}},
		{File: "page.md", Line: 11, Kind: Run, Lines: []string{"A=1", "echo $A", "#> 1"}},
		{File: "page.md", Line: 18, Kind: Shown, Reason: "needs an AWS account", Lines: []string{"aws s3 ls"}},
		{File: "page.md", Line: 29, Kind: Run, Lines: []string{"echo '  two'", "#>   two"}},
	}
	if !reflect.DeepEqual(blocks, want) {
		t.Errorf("blocks:\n%+v\nwant\n%+v", blocks, want)
	}
}

func TestParseRefuses(t *testing.T) {
	t.Parallel()
	for name, page := range map[string]string{
		"no directive":       "Some text.\n```sh\nls\n```\n",
		"directive too far":  "<!-- doc: run -->\n\nText between.\n```sh\nls\n```\n",
		"no reason":          "<!-- doc: not run: -->\n```sh\nls\n```\n",
		"unknown directive":  "<!-- doc: maybe -->\n```bash\nls\n```\n",
		"never closed":       "<!-- doc: run -->\n```sh\nls\n",
		"console block bare": "```console\n$ ls\n```\n",
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := parse("p.md", []byte(page)); err == nil {
				t.Error("parsed; want an error")
			}
		})
	}
}

func TestCommands(t *testing.T) {
	t.Parallel()
	b := Block{File: "p.md", Line: 1, Kind: Run, Lines: []string{
		"# a comment",
		"X=$(echo one \\",
		"  two)",
		"echo \"$X",
		"three\"",
		"#> one two",
		"#> three",
		"curl -s x   # trailing comment (it's fine)",
		"",
		"ISSUED=$(printf '%s' \\",
		"  'a')",
	}}
	cmds, err := Commands([]Block{b})
	if err != nil {
		t.Fatal(err)
	}
	var got [][2]any
	for _, c := range cmds {
		got = append(got, [2]any{c.Text, c.Want})
	}
	want := [][2]any{
		{"X=$(echo one \\\n  two)", []string(nil)},
		{"echo \"$X\nthree\"", []string{"one two", "three"}},
		{"curl -s x   # trailing comment (it's fine)", []string(nil)},
		{"ISSUED=$(printf '%s' \\\n  'a')", []string(nil)},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("commands:\n%q\nwant\n%q", got, want)
	}
	if _, err := Commands([]Block{{File: "p.md", Kind: Run, Lines: []string{"#> orphan"}}}); err == nil {
		t.Error("expected output before any command was accepted")
	}
}

func TestMatches(t *testing.T) {
	t.Parallel()
	cases := []struct {
		want   []string
		output string
		ok     bool
	}{
		{[]string{"200"}, "200\n", true},
		{[]string{"200"}, "403\n", false},
		{[]string{`{"id":"…","name":"x"}`}, `{"id":"abc","name":"x"}`, true},
		{[]string{`{"id":"…","name":"x"}`}, `{"id":"abc","name":"y"}`, false},
		{[]string{"HTTP/1.1 403 Forbidden", "…"}, "HTTP/1.1 403 Forbidden\nContent-Type: x\n\n{}", true},
		{[]string{"HTTP/1.1 403 Forbidden", "…"}, "HTTP/1.1 200 OK\n", false},
		{[]string{"a"}, "a\nb\n", false},
		{[]string{"a.c"}, "abc", false}, // no regexp in the page's text
		{[]string{"x"}, "x   \n\n", true},
	}
	for _, c := range cases {
		if got := Matches(c.want, c.output); got != c.ok {
			t.Errorf("Matches(%q, %q) = %v, want %v", c.want, c.output, got, c.ok)
		}
	}
}

// The checker reports a page whose promise is wrong, and a command that
// never ran because one before it failed: it can fail.
func TestCheckRunsAndCatches(t *testing.T) {
	t.Parallel()
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Fatal("bash is needed to run the docs' commands:", err)
	}
	b := Block{File: "p.md", Line: 1, Kind: Run, Lines: []string{
		"N=2", "echo $((N + 1))", "#> 3",
		"printf 'no newline'", "#> no newline",
		"echo forbidden", "#> allowed",
		"false",
		"echo after", "#> after",
	}}
	cmds, err := Commands([]Block{b})
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bash, "-c", Script(cmds)).Output()
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		t.Fatalf("script with `false` in it: err %v, want a failed exit", err)
	}
	bad := Check(cmds, Outputs(string(out), len(cmds)))
	var lines []int
	for _, m := range bad {
		lines = append(lines, m.Command.Line)
	}
	if want := []int{7, 10}; !reflect.DeepEqual(lines, want) {
		t.Errorf("mismatches at lines %v, want %v (a wrong promise, and a command that never ran)\n%s", lines, want, out)
	}
	if len(bad) > 0 && !strings.Contains(bad[0].Error(), "allowed") {
		t.Errorf("the report does not show what the page promised: %s", bad[0].Error())
	}
}
