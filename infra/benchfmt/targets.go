package benchfmt

import (
	"fmt"
	"strings"
)

// Target is one speed or cost goal the project holds itself to, judged from
// a run's results. Goals live here, next to the numbers, rather than in
// timed unit tests.
type Target struct {
	Goal     string
	Measured string
	Met      bool
}

// find returns the metric unit of the first result whose name starts with
// prefix in package pkg (a path suffix).
func (r Report) find(pkg, prefix, unit string) (float64, bool) {
	for _, p := range r.Packages {
		if !strings.HasSuffix(p.Path, pkg) {
			continue
		}
		for _, res := range p.Results {
			if !strings.HasPrefix(res.Name, prefix) {
				continue
			}
			for _, m := range res.Metrics {
				if m.Unit == unit {
					return m.Value, true
				}
			}
		}
	}
	return 0, false
}

// Targets judges the goals whose benchmarks ran.
func (r Report) Targets() []Target {
	var out []Target
	for _, size := range []string{"10k", "100k"} {
		read, ok1 := r.find("shared/sweep", "SweepScale/"+size, "items/op")
		due, ok2 := r.find("shared/sweep", "SweepScale/"+size, "due/op")
		if ok1 && ok2 {
			out = append(out, Target{
				Goal:     fmt.Sprintf("sweeper reads ≤ 2 × due items (%s tokens)", size),
				Measured: fmt.Sprintf("%.0f read for %.0f due", read, due),
				Met:      read <= 2*due,
			})
		}
	}
	small, ok1 := r.find("shared/sweep", "SweepScale/10k", "ns/op")
	large, ok2 := r.find("shared/sweep", "SweepScale/100k", "ns/op")
	if ok1 && ok2 && small > 0 {
		out = append(out, Target{
			Goal:     "sweep of a 100k table ≤ 1.5 × the 10k sweep (same 500 due)",
			Measured: fmt.Sprintf("%.2f ×", large/small),
			Met:      large <= 1.5*small,
		})
	}
	if ns, ok := r.find("shared/validate", "Validate/cache-hit", "ns/op"); ok {
		out = append(out, Target{Goal: "validate, cached decision: ≤ 100 µs per authorizer event", Measured: fmt.Sprintf("%.1f µs", ns/1000), Met: ns <= 100_000})
	}
	for _, z := range []struct{ pkg, prefix, what string }{
		{"shared/token", "Parse", "token parse allocates nothing"},
		{"shared/policy", "Allows", "route check allocates nothing"},
	} {
		if a, ok := r.find(z.pkg, z.prefix, "allocs/op"); ok {
			out = append(out, Target{Goal: z.what, Measured: fmt.Sprintf("%.0f allocs/op", a), Met: a == 0})
		}
	}
	return out
}

func (r Report) targetsMarkdown() string {
	ts := r.Targets()
	if len(ts) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("\n## Targets\n\n| goal | measured | met |\n|---|---|---|\n")
	for _, t := range ts {
		met := "yes"
		if !t.Met {
			met = "**no**"
		}
		fmt.Fprintf(&b, "| %s | %s | %s |\n", t.Goal, t.Measured, met)
	}
	return b.String()
}
