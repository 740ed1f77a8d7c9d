package doccheck

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"regexp"
	"strings"
)

// Kind is what the test does with a block.
type Kind int

const (
	// Run blocks run in page order in one shell per page.
	Run Kind = iota + 1
	// Start blocks start in the background (a server such as `make run`).
	Start
	// Shown blocks are not run; Reason says why.
	Shown
)

// Block is one sh block of a page.
type Block struct {
	File   string
	Line   int // of the opening fence
	Kind   Kind
	Ready  string // Start: the output that says it is up
	Reason string // Shown: why it is not run
	Lines  []string
}

func (b Block) String() string { return fmt.Sprintf("%s:%d", b.File, b.Line) }

var directive = regexp.MustCompile(`^<!--\s*doc:\s*(run|start\s+"([^"]+)"|not run:\s*(\S.*?))\s*-->$`)

// shells are the info strings of the blocks a reader would paste into a
// shell.
var shells = map[string]bool{"sh": true, "bash": true, "shell": true, "console": true}

// Parse reads the shell blocks of the markdown file at path. A block
// without a directive, or with one it cannot read, is an error.
func Parse(path string) ([]Block, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return parse(path, data)
}

// fenced is a code block being read.
type fenced struct {
	fence  string // the closing fence must start with this
	indent int    // the fence's indentation, dropped from its lines
	block  *Block // nil: not a shell block
}

func parse(name string, data []byte) ([]Block, error) {
	var (
		blocks []Block
		open   *fenced
		prev   string // the last non-blank line outside a block
	)
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		trimmed := strings.TrimSpace(line)
		if open != nil {
			if strings.HasPrefix(trimmed, open.fence) && strings.Trim(trimmed, open.fence[:1]) == "" {
				if open.block != nil {
					blocks = append(blocks, *open.block)
				}
				open, prev = nil, ""
				continue
			}
			if open.block != nil {
				open.block.Lines = append(open.block.Lines, dropIndent(line, open.indent))
			}
			continue
		}
		fence, info, ok := opening(trimmed)
		if !ok {
			if trimmed != "" {
				prev = trimmed
			}
			continue
		}
		open = &fenced{fence: fence, indent: len(line) - len(strings.TrimLeft(line, " "))}
		if !shells[info] {
			continue
		}
		b := &Block{File: name, Line: n}
		m := directive.FindStringSubmatch(prev)
		switch {
		case m == nil:
			return nil, fmt.Errorf("%s:%d: %s block without a directive on the line before it (<!-- doc: run -->, <!-- doc: start \"…\" --> or <!-- doc: not run: why -->)", name, n, info)
		case m[1] == "run":
			b.Kind = Run
		case m[2] != "":
			b.Kind, b.Ready = Start, m[2]
		default:
			b.Kind, b.Reason = Shown, m[3]
		}
		open.block = b
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if open != nil {
		return nil, fmt.Errorf("%s: a code block is never closed", name)
	}
	return blocks, nil
}

// opening recognises a fence: three or more ` or ~, then the info string.
func opening(line string) (fence, info string, ok bool) {
	for _, c := range []string{"`", "~"} {
		n := len(line) - len(strings.TrimLeft(line, c))
		if n >= 3 {
			return line[:n], strings.TrimSpace(line[n:]), true
		}
	}
	return "", "", false
}

// dropIndent removes up to n leading spaces: a block inside a list item is
// indented as far as its fence.
func dropIndent(line string, n int) string {
	i := 0
	for i < n && i < len(line) && line[i] == ' ' {
		i++
	}
	return line[i:]
}
