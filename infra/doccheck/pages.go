package doccheck

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"unicode"
)

// Pages are the markdown files a reader is sent to: README.md, the other
// top-level pages and docs/*.md, relative to the repository root.
func Pages(repo string) ([]string, error) {
	var out []string
	for _, pattern := range []string{"*.md", "docs/*.md"} {
		m, err := filepath.Glob(filepath.Join(repo, pattern))
		if err != nil {
			return nil, err
		}
		out = append(out, m...)
	}
	return out, nil
}

// proseLines are a page's lines outside code blocks, numbered from 1.
func proseLines(data []byte) map[int]string {
	out := map[int]string{}
	fence := ""
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		t := strings.TrimSpace(sc.Text())
		if fence != "" {
			if strings.HasPrefix(t, fence) && strings.Trim(t, fence[:1]) == "" {
				fence = ""
			}
			continue
		}
		if f, _, ok := opening(t); ok {
			fence = f
			continue
		}
		out[n] = sc.Text()
	}
	return out
}

// TableProblems finds tables GitHub would not render: a row that does
// not follow a header and separator (a paragraph dropped into a table
// splits it, and the rest shows as raw pipes), or a row whose cell count
// differs from its header's.
func TableProblems(name string, data []byte) []string {
	lines := proseLines(data)
	var problems []string
	inTable, width := false, 0
	for n := 1; n <= maxLine(lines); n++ {
		line, ok := lines[n]
		t := strings.TrimSpace(line)
		if !ok || !strings.HasPrefix(t, "|") {
			inTable = false
			continue
		}
		if inTable {
			if c := cells(t); c != width {
				problems = append(problems, fmt.Sprintf("%s:%d: %d cells, the header has %d", name, n, c, width))
			}
			continue
		}
		sep := strings.TrimSpace(lines[n+1])
		if !separator.MatchString(sep) {
			problems = append(problems, fmt.Sprintf("%s:%d: a table row with no header and separator above it (a paragraph inside a table?)", name, n))
			// Report the stray run once.
			for lines[n+1] != "" && strings.HasPrefix(strings.TrimSpace(lines[n+1]), "|") {
				n++
			}
			continue
		}
		inTable, width = true, cells(t)
		if c := cells(sep); c != width {
			problems = append(problems, fmt.Sprintf("%s:%d: the separator has %d cells, the header %d", name, n+1, c, width))
		}
		n++ // the separator
	}
	return problems
}

var separator = regexp.MustCompile(`^\|(\s*:?-{3,}:?\s*\|)+$`)

func maxLine(lines map[int]string) int {
	m := 0
	for n := range lines {
		m = max(m, n)
	}
	return m
}

// cells counts a row's cells: pipes not escaped with a backslash.
func cells(row string) int {
	n := 0
	for i := 0; i < len(row); i++ {
		switch row[i] {
		case '\\':
			i++
		case '|':
			n++
		}
	}
	return n - 1
}

var link = regexp.MustCompile(`\]\(([^)\s]+)\)`)

// LinkProblems finds relative links of a page that lead nowhere: a file
// that does not exist, or an anchor no heading of the target makes.
func LinkProblems(path string, data []byte) []string {
	var problems []string
	lines := proseLines(data)
	for n := 1; n <= maxLine(lines); n++ {
		for _, m := range link.FindAllStringSubmatch(lines[n], -1) {
			target := m[1]
			if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			file, anchor, _ := strings.Cut(target, "#")
			dest := path
			if file != "" {
				dest = filepath.Join(filepath.Dir(path), file)
			}
			info, err := os.Stat(dest)
			if err != nil {
				problems = append(problems, fmt.Sprintf("%s:%d: %s: no such file", path, n, target))
				continue
			}
			if anchor == "" || info.IsDir() || filepath.Ext(dest) != ".md" {
				continue
			}
			body, err := os.ReadFile(dest)
			if err != nil {
				problems = append(problems, fmt.Sprintf("%s:%d: %v", path, n, err))
				continue
			}
			if !Anchors(body)[anchor] {
				problems = append(problems, fmt.Sprintf("%s:%d: %s: no heading makes the anchor #%s", path, n, target, anchor))
			}
		}
	}
	return problems
}

// Anchors are the fragment ids GitHub gives a page's headings: lower case,
// punctuation dropped, spaces to hyphens, repeats numbered.
func Anchors(data []byte) map[string]bool {
	out := map[string]bool{}
	seen := map[string]int{}
	lines := proseLines(data)
	for n := 1; n <= maxLine(lines); n++ {
		t := strings.TrimSpace(lines[n])
		if !strings.HasPrefix(t, "#") {
			continue
		}
		text := strings.TrimSpace(strings.TrimLeft(t, "#"))
		if text == "" || !strings.HasPrefix(strings.TrimLeft(t, "#"), " ") {
			continue
		}
		var b strings.Builder
		for _, r := range strings.ToLower(text) {
			switch {
			case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_':
				b.WriteRune(r)
			case r == ' ':
				b.WriteRune('-')
			}
		}
		id := b.String()
		if k := seen[id]; k > 0 {
			out[fmt.Sprintf("%s-%d", id, k)] = true
		} else {
			out[id] = true
		}
		seen[id]++
	}
	return out
}
