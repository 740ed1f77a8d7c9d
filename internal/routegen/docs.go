package routegen

import (
	"strings"

	"github.com/keymint/keymint/shared/api"
)

// The markers around docs/api.md's route table.
const (
	docsBegin = "<!-- BEGIN routes: generated from shared/api/routes.go by make generate; edit only the last column -->"
	docsEnd   = "<!-- END routes -->"
	docsHead  = "| route | who may call it | body → answer |\n|---|---|---|"
	// undescribed is the last column of a route nobody has described yet.
	undescribed = "(to describe)"
)

// Docs rewrites docs/api.md's route table: one row per route in table
// order, the first two columns from the table, the last kept from the row
// the file already has for that route (by its route cell).
func Docs(src []byte, routes []api.Route) ([]byte, error) {
	lines := strings.Split(string(src), "\n")
	b, err := findBlock(lines, docsBegin, docsEnd)
	if err != nil {
		return nil, err
	}
	prose := map[string]string{}
	for _, l := range lines[b.start+1 : b.end] {
		if cells := splitRow(l); len(cells) == 3 {
			prose[cells[0]] = cells[2]
		}
	}
	body := strings.Split(docsHead, "\n")
	for _, r := range routes {
		key := "`" + r.Key() + "`"
		p, ok := prose[key]
		if !ok {
			p = undescribed
		}
		body = append(body, "| "+key+" | "+who(r.Access)+" | "+p+" |")
	}
	return []byte(strings.Join(b.replace(lines, body), "\n")), nil
}

// who says in words who may call a route.
func who(a api.Access) string {
	switch {
	case a.Public:
		return "anyone (no token)"
	case a.AnyToken:
		return "any valid caller"
	case a.Self:
		return "`" + a.Scope + "`, or the token itself"
	}
	return "`" + a.Scope + "`"
}

// splitRow splits a Markdown table row on the pipes that are not escaped
// (`\|` is a pipe inside a cell), trimming each cell.
func splitRow(line string) []string {
	line = strings.TrimSpace(line)
	if !strings.HasPrefix(line, "|") || !strings.HasSuffix(line, "|") || len(line) < 2 {
		return nil
	}
	line = line[1 : len(line)-1]
	var cells []string
	start := 0
	for i := 0; i < len(line); i++ {
		switch line[i] {
		case '\\':
			i++
		case '|':
			cells = append(cells, strings.TrimSpace(line[start:i]))
			start = i + 1
		}
	}
	return append(cells, strings.TrimSpace(line[start:]))
}
