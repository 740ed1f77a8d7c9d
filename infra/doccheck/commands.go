package doccheck

import (
	"fmt"
	"regexp"
	"strings"
)

// Command is one shell command of a run block (continued lines joined as
// the shell joins them) and the output the page says it prints.
type Command struct {
	Block Block
	Line  int // in the page
	Text  string
	Want  []string // the "#> " lines after it; nil: not checked
}

func (c Command) String() string { return fmt.Sprintf("%s:%d", c.Block.File, c.Line) }

// wantPrefix starts a line of expected output.
const wantPrefix = "#>"

// Commands splits run blocks into commands. A line ending in a backslash,
// or inside an open quote or $( … ), continues onto the next; "#> " lines
// belong to the command before them.
func Commands(blocks []Block) ([]Command, error) {
	var out []Command
	for _, b := range blocks {
		if b.Kind != Run {
			continue
		}
		var cur *Command
		for i, line := range b.Lines {
			n := b.Line + 1 + i
			t := strings.TrimSpace(line)
			if t == wantPrefix || strings.HasPrefix(t, wantPrefix+" ") {
				if len(out) == 0 || out[len(out)-1].Block.Line != b.Line || cur != nil {
					return nil, fmt.Errorf("%s:%d: expected output with no command before it", b.File, n)
				}
				last := &out[len(out)-1]
				last.Want = append(last.Want, strings.TrimPrefix(strings.TrimPrefix(t, wantPrefix), " "))
				continue
			}
			if cur == nil {
				if t == "" || strings.HasPrefix(t, "#") {
					continue
				}
				cur = &Command{Block: b, Line: n, Text: line}
			} else {
				cur.Text += "\n" + line
			}
			if !continues(cur.Text) {
				out = append(out, *cur)
				cur = nil
			}
		}
		if cur != nil {
			return nil, fmt.Errorf("%s:%d: the block ends inside a command", b.File, cur.Line)
		}
	}
	return out, nil
}

// continues reports whether a command's text goes on to the next line: a
// trailing backslash, or an unclosed quote or parenthesis. Good enough
// for documentation, which keeps to simple commands.
func continues(text string) bool {
	if strings.HasSuffix(text, "\\") {
		return true
	}
	var single, double bool
	depth := 0
	for i := 0; i < len(text); i++ {
		switch c := text[i]; {
		case single:
			single = c != '\''
		case c == '\\':
			i++
		case c == '\'' && !double:
			single = true
		case c == '"':
			double = !double
		case c == '#' && !double && (i == 0 || text[i-1] == ' ' || text[i-1] == '\n'):
			// A comment runs to the end of its line.
			for i < len(text) && text[i] != '\n' {
				i++
			}
		case c == '(' && !double:
			depth++
		case c == ')' && !double:
			depth--
		}
	}
	return single || double || depth > 0
}

// marker separates commands' output in a page's script.
const marker = "@@doccheck-command "

// Script is the bash script that runs a page's commands in order, each
// preceded by a marker line on standard output so its output can be told
// apart. It stops at the first command that fails.
func Script(cmds []Command) string {
	var b strings.Builder
	b.WriteString("set -eu -o pipefail\n")
	for i, c := range cmds {
		fmt.Fprintf(&b, "printf '\\n%s%d\\n'\n%s\n", marker, i, c.Text)
	}
	fmt.Fprintf(&b, "printf '\\n%s%d\\n'\n", marker, len(cmds))
	return b.String()
}

// Outputs splits a script's standard output into each command's output.
// A command that never started (the script stopped before it) is absent.
func Outputs(stdout string, n int) map[int]string {
	out := map[int]string{}
	stdout = strings.ReplaceAll(stdout, "\r\n", "\n")
	parts := strings.Split(stdout, "\n"+marker)
	for _, p := range parts[1:] {
		num, rest, _ := strings.Cut(p, "\n")
		var i int
		if _, err := fmt.Sscanf(num, "%d", &i); err != nil || i < 0 || i >= n {
			continue
		}
		out[i] = rest
	}
	return out
}

// Mismatch is a command whose output is not what its page shows.
type Mismatch struct {
	Command Command
	Got     string
}

func (m Mismatch) Error() string {
	return fmt.Sprintf("%s: %s\n  the page shows:\n    %s\n  it printed:\n    %s", m.Command, firstLine(m.Command.Text),
		strings.Join(m.Command.Want, "\n    "), strings.ReplaceAll(strings.TrimRight(m.Got, "\n"), "\n", "\n    "))
}

// Check compares each command that has expected output with what it
// printed. A command with expected output that printed nothing because it
// never ran is a mismatch too.
func Check(cmds []Command, outputs map[int]string) []Mismatch {
	var bad []Mismatch
	for i, c := range cmds {
		if c.Want == nil {
			continue
		}
		got, ran := outputs[i]
		if !ran || !Matches(c.Want, got) {
			bad = append(bad, Mismatch{Command: c, Got: got})
		}
	}
	return bad
}

// Matches reports whether output is what want shows: line for line, with
// "…" standing for any text (across lines too). Trailing blank lines and
// trailing spaces are ignored.
func Matches(want []string, output string) bool {
	var re strings.Builder
	re.WriteString(`\A`)
	for i, w := range want {
		if i > 0 {
			re.WriteString(`\n`)
		}
		for j, part := range strings.Split(strings.TrimRight(w, " "), "…") {
			if j > 0 {
				re.WriteString(`(?s:.*?)`)
			}
			re.WriteString(regexp.QuoteMeta(part))
		}
	}
	re.WriteString(`\z`)
	var lines []string
	for _, l := range strings.Split(strings.TrimRight(output, "\n"), "\n") {
		lines = append(lines, strings.TrimRight(l, " "))
	}
	return regexp.MustCompile(re.String()).MatchString(strings.Join(lines, "\n"))
}

func firstLine(s string) string {
	first, _, _ := strings.Cut(s, "\n")
	return first
}
