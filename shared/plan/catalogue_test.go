package plan_test

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/keymint/keymint/shared/plan"
	"github.com/keymint/keymint/shared/policy"
)

func scopes(t *testing.T) *policy.Catalogue {
	t.Helper()
	c, err := policy.Default()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

const two = `{"plans": {
	"free": {"description": "Read.", "scopes": ["orders:read"], "maxLifetimeDays": 7},
	"pro":  {"scopes": ["orders:write", "orders:read", "orders:read"]}
}}`

// A catalogue is refused, naming why, unless every plan names API scopes
// the scope catalogue holds and the default is one of its plans.
func TestParseRefuses(t *testing.T) {
	cases := []struct {
		name, raw, def string
		want           error
	}{
		{"two plans", two, "free", nil},
		{"the default is not a plan", two, "gold", plan.ErrInvalid},
		{"no default", two, "", plan.ErrInvalid},
		{"no plans", `{"plans": {}}`, "free", plan.ErrInvalid},
		{"an unknown scope", `{"plans": {"free": {"scopes": ["orders:ship"]}}}`, "free", plan.ErrInvalid},
		{"a management scope", `{"plans": {"free": {"scopes": ["tokens:admin"]}}}`, "free", plan.ErrInvalid},
		{"a bundle's name", `{"plans": {"free": {"scopes": ["tokens:manage"]}}}`, "free", plan.ErrInvalid},
		{"a bad name", `{"plans": {"Free Plan": {"scopes": []}}}`, "Free Plan", plan.ErrInvalid},
		{"a negative lifetime", `{"plans": {"free": {"maxLifetimeDays": -1}}}`, "free", plan.ErrInvalid},
		{"an unknown field", `{"plans": {"free": {"limits": 5}}}`, "free", plan.ErrInvalid},
		{"not JSON", `plans`, "free", plan.ErrInvalid},
		{"a usage plan", `{"plans": {"free": {"usagePlanId": "a1b2c3"}}}`, "free", nil},
		{"a usage plan id with a slash", `{"plans": {"free": {"usagePlanId": "a1/keys"}}}`, "free", plan.ErrInvalid},
		{"a usage plan id too long", `{"plans": {"free": {"usagePlanId": "` + strings.Repeat("a", 65) + `"}}}`, "free", plan.ErrInvalid},
	}
	for _, c := range cases {
		_, err := plan.Parse([]byte(c.raw), c.def, scopes(t), policy.Management)
		if !errors.Is(err, c.want) || (err == nil) != (c.want == nil) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
}

// A plan's usage plan id is kept as written; without one it is "".
func TestUsagePlan(t *testing.T) {
	c, err := plan.Parse([]byte(`{"plans": {"free": {"usagePlanId": "u9x8y7"}, "pro": {}}}`), "free", scopes(t), policy.Management)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"free": "u9x8y7", "pro": ""} {
		if p, _ := c.Of(name); p.UsagePlan != want {
			t.Errorf("%s: usage plan %q, want %q", name, p.UsagePlan, want)
		}
	}
}

// Within keeps management scopes and the plan's own, in order, and does
// not copy when nothing is taken away; Outside names the first refused.
func TestWithin(t *testing.T) {
	c, err := plan.Parse([]byte(two), "free", scopes(t), policy.Management)
	if err != nil {
		t.Fatal(err)
	}
	free, err := c.Of("")
	if err != nil || free.Name != "free" || free.MaxLifetime != 7*24*time.Hour {
		t.Fatalf("the default plan: %+v, %v", free, err)
	}
	pro, _ := c.Of("pro")
	if !slices.Equal(pro.Scopes, []string{"orders:read", "orders:write"}) {
		t.Errorf("pro's scopes %v, want sorted and deduplicated", pro.Scopes)
	}
	held := []string{"orders:write", "tokens:read", "orders:read", "reports:read"}
	if got := free.Within(held); !slices.Equal(got, []string{"tokens:read", "orders:read"}) {
		t.Errorf("free.Within = %v", got)
	}
	if got := free.Outside(held); got != "orders:write" {
		t.Errorf("free.Outside = %q", got)
	}
	mine := []string{"orders:read", "tokens:admin"}
	if got := free.Within(mine); &got[0] != &mine[0] {
		t.Error("Within copied a slice it did not narrow")
	}
	if _, err := c.Of("gold"); !errors.Is(err, plan.ErrUnknownPlan) {
		t.Errorf("Of(gold): %v", err)
	}
}

// Without plans there is one implicit plan granting everything; a
// DEFAULT_PLAN without plans is a mistake, not ignored. A file is read.
func TestLoad(t *testing.T) {
	none, err := plan.Load("", "", "", scopes(t), policy.Management)
	if err != nil || none.Configured() || none.Default() != plan.Unlimited {
		t.Fatalf("no plans: configured=%v default=%q err=%v", none.Configured(), none.Default(), err)
	}
	p, _ := none.Of("")
	if got := p.Within([]string{"orders:write", "anything"}); len(got) != 2 {
		t.Errorf("the implicit plan narrowed to %v", got)
	}
	if _, err := plan.Load("", "", "free", scopes(t), policy.Management); !errors.Is(err, plan.ErrInvalid) {
		t.Errorf("DEFAULT_PLAN without plans: %v", err)
	}
	path := filepath.Join(t.TempDir(), "plans.json")
	if err := os.WriteFile(path, []byte(two), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := plan.Load("", path, "pro", scopes(t), policy.Management)
	if err != nil || !c.Configured() || len(c.List()) != 2 || c.Default() != "pro" {
		t.Fatalf("from a file: %v", err)
	}
	if _, err := plan.Load("", filepath.Join(t.TempDir(), "missing.json"), "pro", scopes(t), policy.Management); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a missing file: %v", err)
	}
}

// A quota's period is a UTC calendar day, ISO week or month: its key names
// the owner's counter, its end is when refusals lift.
func TestQuotaWindow(t *testing.T) {
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	cases := []struct {
		period, now, key, end string
	}{
		{plan.Day, "2026-12-04T23:59:59Z", "2026-12-04", "2026-12-05T00:00:00Z"},
		{plan.Day, "2026-12-05T00:30:00+01:00", "2026-12-04", "2026-12-05T00:00:00Z"},
		{plan.Week, "2026-12-04T12:00:00Z", "2026-W49", "2026-12-07T00:00:00Z"}, // a Friday
		{plan.Week, "2026-12-07T00:00:00Z", "2026-W50", "2026-12-14T00:00:00Z"}, // a Monday
		{plan.Week, "2027-01-01T08:00:00Z", "2026-W53", "2027-01-04T00:00:00Z"}, // ISO year 2026
		{plan.Month, "2026-12-31T23:00:00Z", "2026-12", "2027-01-01T00:00:00Z"},
		{plan.Month, "2027-02-01T00:00:00Z", "2027-02", "2027-03-01T00:00:00Z"},
	}
	for _, c := range cases {
		q := plan.Quota{Requests: 1, Period: c.period}
		key, end := q.Window(at(c.now))
		if key != c.key || !end.Equal(at(c.end)) {
			t.Errorf("%s at %s: %s ending %s, want %s ending %s", c.period, c.now, key, end.Format(time.RFC3339), c.key, c.end)
		}
	}
	for _, bad := range []string{`{"requests": 0, "period": "day"}`, `{"requests": 5, "period": "year"}`} {
		raw := `{"plans": {"free": {"quota": ` + bad + `}}}`
		if _, err := plan.Parse([]byte(raw), "free", scopes(t), policy.Management); !errors.Is(err, plan.ErrInvalid) {
			t.Errorf("quota %s: %v", bad, err)
		}
	}
}

// An override replaces only what it sets; a quota round-trips through the
// form items carry it in.
func TestOverrides(t *testing.T) {
	c, err := plan.Parse([]byte(two), "free", scopes(t), policy.Management)
	if err != nil {
		t.Fatal(err)
	}
	free, _ := c.Of("free")
	if free.With(plan.Overrides{}) != free {
		t.Error("no override copied the plan")
	}
	q := &plan.Quota{Requests: 50, Period: plan.Week}
	got := free.With(plan.Overrides{Quota: q, MaxLiveTokens: 3})
	if got.Quota != q || got.MaxLiveTokens != 3 || got.MaxLifetime != free.MaxLifetime || free.Quota != nil || free.MaxLiveTokens != 0 {
		t.Errorf("overridden %+v; the plan itself %+v", got, free)
	}
	back, err := plan.ParseQuota(q.String())
	if err != nil || *back != *q {
		t.Errorf("ParseQuota(%q) = %+v, %v", q.String(), back, err)
	}
	for _, bad := range []string{"", "50", "x/day", "0/day", "50/year", "-1/week"} {
		if _, err := plan.ParseQuota(bad); !errors.Is(err, plan.ErrInvalid) {
			t.Errorf("ParseQuota(%q): %v", bad, err)
		}
	}
}
