package localapi

import (
	"sync"
	"time"

	"github.com/keymint/keymint/internal/stack"
)

// UsagePlans answers which usage plan holds an API key, as API Gateway's
// control plane knows it (its API keys and usage plan keys, made by
// CreateApiKey and CreateUsagePlanKey). apiID is the REST API's id (APIID
// of its logical id), stage its stage name, and usagePlanID a usage plan's
// local id (stack.UsagePlanID of its logical id). An API key can be
// attached to one usage plan per API stage at most
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-api-usage-plans.html),
// so the answer is one plan or none.
type UsagePlans interface {
	// PlanOf names the usage plan on apiID's stage that the enabled API key
	// with this value is attached to.
	PlanOf(apiID, stage, keyValue string) (usagePlanID string, ok bool)
}

// verdict is what a usage plan says of one request with an API key.
type verdict int

const (
	admitted    verdict = iota
	throttled           // the key's token bucket is empty
	quotaUsedUp         // the key's quota for the period is used up
)

// meter applies the usage plans of one API stage to the API keys of its
// requests. API Gateway enforces a plan's throttle and quota on each API
// key
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-api-usage-plans.html):
//
//   - the throttle as a token bucket
//     (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-throttling.html):
//     it holds BurstLimit tokens, starts full, gains RateLimit tokens a
//     second, and each request takes one; a request that finds it empty is
//     throttled;
//   - the quota as a count of the key's requests per period, DAY, WEEK or
//     MONTH, of which Limit are allowed; in the plan's first period Offset
//     fewer ("the number of requests subtracted from the given limit in the
//     initial time period",
//     https://docs.aws.amazon.com/apigateway/latest/api/API_QuotaSettings.html).
//
// What AWS does not document, and this meter chooses: periods are UTC
// days, ISO weeks (from Monday) and calendar months; a plan's first period
// is the one holding the moment the meter was made (the local stack's
// start, standing in for the plan's creation); a key whose quota is used
// up is refused without taking a token, and a throttled request does not
// count against the quota. AWS applies both as targets on a best-effort
// basis; locally they are exact. Usage is counted per key and plan on this
// one stage: AWS aggregates a plan's usage across all its stages, which
// matters only for a plan on several stages.
type meter struct {
	mu      sync.Mutex
	plans   map[string]*stack.UsagePlan // by local id: the plans on this stage
	initial time.Time
	usage   map[usageKey]*usage
}

type usageKey struct{ plan, key string }

// usage is one key's bucket and quota count under one plan.
type usage struct {
	tokens float64
	filled time.Time // when tokens was last topped up
	period time.Time // start of the period used counts
	used   int
}

func newMeter(plans map[string]*stack.UsagePlan, now time.Time) *meter {
	return &meter{plans: plans, initial: now, usage: map[usageKey]*usage{}}
}

// admit takes one request of key under the plan planID at now (a plan of
// this stage: see onStage).
func (m *meter) admit(planID, key string, now time.Time) verdict {
	m.mu.Lock()
	defer m.mu.Unlock()
	plan := m.plans[planID]
	k := usageKey{planID, key}
	u := m.usage[k]
	if u == nil {
		u = &usage{filled: now}
		if plan.Throttle != nil {
			u.tokens = float64(plan.Throttle.BurstLimit)
		}
		m.usage[k] = u
	}
	if q := plan.Quota; q != nil {
		start := periodStart(q.Period, now)
		if !u.period.Equal(start) {
			u.period, u.used = start, 0
		}
		limit := q.Limit
		if start.Equal(periodStart(q.Period, m.initial)) {
			limit -= q.Offset
		}
		if u.used >= limit {
			return quotaUsedUp
		}
	}
	if t := plan.Throttle; t != nil {
		if elapsed := now.Sub(u.filled).Seconds(); elapsed > 0 {
			u.tokens = min(float64(t.BurstLimit), u.tokens+elapsed*t.RateLimit)
			u.filled = now
		}
		if u.tokens < 1 {
			return throttled
		}
		u.tokens--
	}
	if plan.Quota != nil {
		u.used++
	}
	return admitted
}

// onStage reports whether planID is a usage plan of this stage.
func (m *meter) onStage(planID string) bool {
	_, ok := m.plans[planID]
	return ok
}

// periodStart is the start of the quota period (DAY, WEEK or MONTH) that
// holds t, in UTC.
func periodStart(period string, t time.Time) time.Time {
	t = t.UTC()
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	switch period {
	case "WEEK":
		return day.AddDate(0, 0, -((int(t.Weekday()) + 6) % 7))
	case "MONTH":
		return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
	}
	return day
}

// plansOnStage picks the usage plans that meter the stage of the REST API
// apiLogicalID, by local id.
func plansOnStage(plans map[string]*stack.UsagePlan, apiLogicalID, stage string) map[string]*stack.UsagePlan {
	out := map[string]*stack.UsagePlan{}
	for _, p := range plans {
		for _, st := range p.APIStages {
			if st.API == apiLogicalID && st.Stage == stage {
				out[p.ID] = p
			}
		}
	}
	return out
}
