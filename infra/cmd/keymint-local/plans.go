package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// The plans the local stack runs with unless the user names theirs (or
// none, with SET='PLANS_FILE= DEFAULT_PLAN='): the example catalogue, team
// by default, so the console and the example APIs show plans at once.
const (
	examplePlansFile   = "infra/plans.example.json"
	exampleDefaultPlan = "team"
	// plansSeeded marks a LOCAL_DIR whose owners were put on their example
	// plans once; later moves (in the console, by PATCH) are then kept.
	plansSeeded = "plans-seeded"
)

// exampleOwnerPlans are the development owners not on the default plan:
// bob is a free customer, beside alice (and admin) on team.
var exampleOwnerPlans = map[string]string{"bob": "free"}

// planSettings are the variables that choose plans.
var planSettings = []string{"PLANS_FILE", "PLANS_JSON", "DEFAULT_PLAN"}

// withExamplePlans applies the example plans unless an override names any
// of planSettings (for any function).
func (s settings) withExamplePlans() settings {
	for _, vars := range s.envVars {
		for _, name := range planSettings {
			if _, ok := vars[name]; ok {
				return s
			}
		}
	}
	out := make(map[string]map[string]string, len(s.envVars)+1)
	for scope, vars := range s.envVars {
		out[scope] = maps.Clone(vars)
	}
	if out["Parameters"] == nil {
		out["Parameters"] = map[string]string{}
	}
	out["Parameters"]["PLANS_FILE"] = filepath.Join(filepath.Dir(s.template), examplePlansFile)
	out["Parameters"]["DEFAULT_PLAN"] = exampleDefaultPlan
	s.envVars, s.examplePlans = out, true
	return s
}

// plansLine is what the banner says of plans.
func (s settings) plansLine() string {
	if !s.examplePlans {
		return "plans: as set (PLANS_FILE, PLANS_JSON, DEFAULT_PLAN)"
	}
	var seeded []string
	for _, o := range slices.Sorted(maps.Keys(exampleOwnerPlans)) {
		seeded = append(seeded, o+" on "+exampleOwnerPlans[o])
	}
	return fmt.Sprintf("plans: %s, new owners on %s (%s); SET='PLANS_FILE= DEFAULT_PLAN=' runs without plans",
		examplePlansFile, exampleDefaultPlan, strings.Join(seeded, ", "))
}

// seedExamplePlans seeds through the management API of apis with the
// bootstrap admin token.
func seedExamplePlans(ctx context.Context, s settings, apis []servedAPI) error {
	raw, err := os.ReadFile(s.adminFile)
	if err != nil {
		return err
	}
	for _, a := range apis {
		if a.id == "KeymintApi" {
			return seedPlans(ctx, s, a.srv, strings.TrimSpace(string(raw)))
		}
	}
	return errors.New("no KeymintApi in the template")
}

// seedPlans puts exampleOwnerPlans' owners on their plans, once per
// LOCAL_DIR, through the management API (api, in process) as an admin
// would: PATCH /owners/{owner}, audited, with the usage plan key it brings.
func seedPlans(ctx context.Context, s settings, api http.Handler, admin string) error {
	mark := filepath.Join(s.localDir, plansSeeded)
	if _, err := os.Stat(mark); err == nil || !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	for _, owner := range slices.Sorted(maps.Keys(exampleOwnerPlans)) {
		body := strings.NewReader(fmt.Sprintf(`{"plan":%q}`, exampleOwnerPlans[owner]))
		req := httptest.NewRequestWithContext(ctx, http.MethodPatch, "/owners/"+owner, body)
		req.Header.Set("Authorization", "Bearer "+admin)
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		api.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b, _ := io.ReadAll(rec.Body)
			return fmt.Errorf("put %s on %s: %d %s", owner, exampleOwnerPlans[owner], rec.Code, b)
		}
	}
	return os.WriteFile(mark, nil, 0o600)
}
