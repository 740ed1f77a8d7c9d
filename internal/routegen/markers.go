package routegen

import (
	"errors"
	"fmt"
	"strings"
)

// Why a file's generated region cannot be found.
var (
	ErrNoMarker    = errors.New("no begin marker")
	ErrUnclosed    = errors.New("begin marker without its end marker")
	ErrMarkerTwice = errors.New("begin marker appears twice")
	// ErrNoRoutes: template.yaml has a region for a function that serves
	// no route of the table (remove its markers and events by hand).
	ErrNoRoutes = errors.New("generated region for a function without routes")
)

// block is one generated region of a file: the lines strictly between a
// begin marker line and the next end marker line.
type block struct {
	indent     string // the begin marker's indentation
	start, end int    // line indexes of the two markers
}

// findBlock finds the one region opened by a line whose trimmed text is
// begin. Generating between markers, and nowhere else, keeps every
// hand-edited line of the file as it is.
func findBlock(lines []string, begin, end string) (block, error) {
	b := block{start: -1, end: -1}
	for i, l := range lines {
		t := strings.TrimSpace(l)
		switch {
		case t == begin && b.start >= 0:
			return b, fmt.Errorf("%w: %q", ErrMarkerTwice, begin)
		case t == begin:
			b.start, b.indent = i, l[:len(l)-len(strings.TrimLeft(l, " "))]
		case t == end && b.start >= 0 && b.end < 0:
			b.end = i
		}
	}
	switch {
	case b.start < 0:
		return b, fmt.Errorf("%w: no line %q", ErrNoMarker, begin)
	case b.end < 0:
		return b, fmt.Errorf("%w: %q is not closed by %q", ErrUnclosed, begin, end)
	}
	return b, nil
}

// replace returns lines with the region's inside swapped for body.
func (b block) replace(lines, body []string) []string {
	out := append([]string{}, lines[:b.start+1]...)
	out = append(out, body...)
	return append(out, lines[b.end:]...)
}
