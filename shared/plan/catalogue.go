package plan

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"time"
)

// Unlimited is the name of the implicit plan of a deployment without plans.
const Unlimited = "unlimited"

// Plan is one plan of the catalogue.
type Plan struct {
	Name        string
	Description string
	// Scopes are the API scopes its owners' tokens may hold, sorted; nil
	// with All.
	Scopes []string
	// All: every scope (the implicit plan).
	All bool
	// MaxLifetime bounds a token's lifetime for its owners; 0 leaves the
	// deployment's MAX_LIFETIME_DAYS.
	MaxLifetime time.Duration
	// Quota, when set, bounds the requests of all its owners' tokens
	// together, per owner and period.
	Quota *Quota
	// MaxLiveTokens bounds an owner's live tokens (neither revoked nor
	// expired); 0: no bound.
	MaxLiveTokens int
	// UsagePlan is the id of an API Gateway usage plan (REST APIs) whose
	// throttle and quota API Gateway enforces on its owners' requests: each
	// owner gets an API key in it, which the authorizer's REST answers
	// name (shared/usagekey). "" for none.
	UsagePlan string

	management func(string) bool
}

// Grants reports whether the plan lets its owners' tokens hold scope.
// Management scopes are always granted: a plan governs API scopes only.
func (p *Plan) Grants(scope string) bool {
	return p.All || p.management(scope) || slices.Contains(p.Scopes, scope)
}

// Within is scopes narrowed to what the plan grants, in their order; it
// returns scopes itself (no copy) when nothing is taken away, so the
// common case costs no allocation.
func (p *Plan) Within(scopes []string) []string {
	for i, s := range scopes {
		if p.Grants(s) {
			continue
		}
		out := slices.Clone(scopes[:i])
		for _, r := range scopes[i+1:] {
			if p.Grants(r) {
				out = append(out, r)
			}
		}
		return out
	}
	return scopes
}

// Outside is the first of scopes the plan does not grant, "" when none.
func (p *Plan) Outside(scopes []string) string {
	for _, s := range scopes {
		if !p.Grants(s) {
			return s
		}
	}
	return ""
}

// Catalogue is the deployment's plans and which one owners start on.
type Catalogue struct {
	plans map[string]*Plan
	names []string
	def   string
}

// Scopes is what a plan catalogue is checked against: the scope
// catalogue.
type Scopes interface {
	Known(scope string) bool
}

// None is the catalogue of a deployment without plans: one implicit plan,
// Unlimited, for every owner.
func None() *Catalogue {
	p := &Plan{Name: Unlimited, Description: "Every scope of the catalogue, no limits beyond the deployment's (no plans are configured).", All: true}
	return &Catalogue{plans: map[string]*Plan{Unlimited: p}, names: []string{Unlimited}, def: Unlimited}
}

type file struct {
	Plans map[string]struct {
		Description     string   `json:"description"`
		Scopes          []string `json:"scopes"`
		MaxLifetimeDays int      `json:"maxLifetimeDays"`
		Quota           *Quota   `json:"quota"`
		MaxLiveTokens   int      `json:"maxLiveTokens"`
		UsagePlanID     string   `json:"usagePlanId"`
	} `json:"plans"`
}

// Parse reads a catalogue (PLANS_JSON, or the contents of PLANS_FILE).
// Every plan must name API scopes that scopes knows (management scopes,
// as management says, are refused: they are not a customer's to buy), and
// defaultPlan must be one of its plans.
func Parse(raw []byte, defaultPlan string, scopes Scopes, management func(string) bool) (*Catalogue, error) {
	var f file
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if len(f.Plans) == 0 {
		return nil, fmt.Errorf("%w: no plans", ErrInvalid)
	}
	c := &Catalogue{plans: map[string]*Plan{}, def: defaultPlan}
	for _, name := range slices.Sorted(maps.Keys(f.Plans)) {
		d := f.Plans[name]
		if err := checkName(name); err != nil {
			return nil, fmt.Errorf("%w: plan %q: %v", ErrInvalid, name, err)
		}
		if d.Quota != nil {
			if err := d.Quota.Check(); err != nil {
				return nil, fmt.Errorf("%w: plan %q: %v", ErrInvalid, name, err)
			}
		}
		if d.MaxLiveTokens < 0 {
			return nil, fmt.Errorf("%w: plan %q: maxLiveTokens must not be negative", ErrInvalid, name)
		}
		if d.MaxLifetimeDays < 0 {
			return nil, fmt.Errorf("%w: plan %q: maxLifetimeDays must not be negative", ErrInvalid, name)
		}
		if d.UsagePlanID != "" && !usagePlanID(d.UsagePlanID) {
			return nil, fmt.Errorf("%w: plan %q: usagePlanId %q is not an API Gateway id (letters and digits, at most 64)", ErrInvalid, name, d.UsagePlanID)
		}
		for _, s := range d.Scopes {
			switch {
			case !scopes.Known(s):
				return nil, fmt.Errorf("%w: plan %q names scope %q, which the scope catalogue does not hold", ErrInvalid, name, s)
			case management(s):
				return nil, fmt.Errorf("%w: plan %q names management scope %q: plans grant API scopes only", ErrInvalid, name, s)
			}
		}
		sc := slices.Clone(d.Scopes)
		slices.Sort(sc)
		c.plans[name] = &Plan{Name: name, Description: d.Description, Scopes: slices.Compact(sc),
			MaxLifetime: time.Duration(d.MaxLifetimeDays) * 24 * time.Hour, Quota: d.Quota, MaxLiveTokens: d.MaxLiveTokens,
			UsagePlan: d.UsagePlanID, management: management}
		c.names = append(c.names, name)
	}
	if _, ok := c.plans[defaultPlan]; !ok {
		return nil, fmt.Errorf("%w: DEFAULT_PLAN %q is not one of the plans (%s)", ErrInvalid, defaultPlan, strings.Join(c.names, ", "))
	}
	return c, nil
}

// Load picks the deployment's catalogue: PLANS_JSON (inline) or
// PLANS_FILE, or None when neither is set.
func Load(inline, path, defaultPlan string, scopes Scopes, management func(string) bool) (*Catalogue, error) {
	raw := []byte(inline)
	switch {
	case inline != "":
	case path != "":
		var err error
		if raw, err = os.ReadFile(path); err != nil {
			return nil, fmt.Errorf("plan catalogue: %w", err)
		}
	default:
		if defaultPlan != "" && defaultPlan != Unlimited {
			return nil, fmt.Errorf("%w: DEFAULT_PLAN %q is set but no plans are (PLANS_FILE or PLANS_JSON)", ErrInvalid, defaultPlan)
		}
		return None(), nil
	}
	return Parse(raw, defaultPlan, scopes, management)
}

// Of is the plan an owner is on: the one named, or the default for "".
// A name the catalogue no longer holds (a plan removed from the file while
// owners were on it) is ErrUnknownPlan: callers refuse rather than guess.
func (c *Catalogue) Of(name string) (*Plan, error) {
	if name == "" {
		name = c.def
	}
	p, ok := c.plans[name]
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrUnknownPlan, name)
	}
	return p, nil
}

// UsagePlans reports whether any plan names an API Gateway usage plan:
// only then do owners get API keys (shared/usagekey).
func (c *Catalogue) UsagePlans() bool {
	for _, p := range c.plans {
		if p.UsagePlan != "" {
			return true
		}
	}
	return false
}

// Has reports whether name is one of the catalogue's plans.
func (c *Catalogue) Has(name string) bool {
	_, ok := c.plans[name]
	return ok
}

// Overrides are what an admin set for one owner in place of its plan's:
// zero values leave the plan's.
type Overrides struct {
	Quota           *Quota
	MaxLiveTokens   int
	MaxLifetimeDays int
}

// With is p as overrides change it for one owner.
func (p *Plan) With(o Overrides) *Plan {
	if o == (Overrides{}) {
		return p
	}
	c := *p
	if o.Quota != nil {
		c.Quota = o.Quota
	}
	if o.MaxLiveTokens > 0 {
		c.MaxLiveTokens = o.MaxLiveTokens
	}
	if o.MaxLifetimeDays > 0 {
		c.MaxLifetime = time.Duration(o.MaxLifetimeDays) * 24 * time.Hour
	}
	return &c
}

// Name is the plan an owner's plan attribute stands for: name, or the
// default for "".
func (c *Catalogue) Name(name string) string {
	if name == "" {
		return c.def
	}
	return name
}

// Default is the plan of owners no admin has put on another.
func (c *Catalogue) Default() string { return c.def }

// Configured reports whether the deployment has plans (not None's).
func (c *Catalogue) Configured() bool { return !c.plans[c.names[0]].All }

// List is every plan, in name order.
func (c *Catalogue) List() []*Plan {
	out := make([]*Plan, 0, len(c.names))
	for _, n := range c.names {
		out = append(out, c.plans[n])
	}
	return out
}

// checkName keeps plan names safe in table attributes, URLs and logs.
// usagePlanID: API Gateway's ids are short strings of letters and digits
// (and it becomes part of an IAM resource and a request path).
func usagePlanID(id string) bool {
	if len(id) > 64 {
		return false
	}
	for i := range len(id) {
		if c := id[i]; !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

func checkName(name string) error {
	if name == "" || len(name) > 64 {
		return fmt.Errorf("a name is 1 to 64 characters")
	}
	for i := range len(name) {
		b := name[i]
		if !(b >= 'a' && b <= 'z' || b >= '0' && b <= '9' || b == '-' || b == '_') {
			return fmt.Errorf("byte %q not allowed (lower-case letters, digits, - and _ only)", b)
		}
	}
	return nil
}
