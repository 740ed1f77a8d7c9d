package stack

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
)

const usagePlanType = "AWS::ApiGateway::UsagePlan"

// UsagePlanID is the id the local stack gives the usage plan of that
// logical id: what its Ref resolves to (a Ref to a usage plan returns its
// id,
// https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-apigateway-usageplan.html#aws-resource-apigateway-usageplan-return-values).
// API Gateway's ids are short strings of lower-case letters and digits; a
// lower-cased logical id is the same kind of string and says which plan it
// is (examplefreeusageplan), as localapi.APIID does for APIs.
func UsagePlanID(logicalID string) string { return strings.ToLower(logicalID) }

// UsagePlan is one AWS::ApiGateway::UsagePlan: which API stages it meters,
// and the throttle and quota it gives each API key attached to it
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-api-usage-plans.html).
type UsagePlan struct {
	LogicalID string
	ID        string // UsagePlanID(LogicalID)
	APIStages []APIStage
	Throttle  *Throttle // nil: none
	Quota     *Quota    // nil: none
}

// APIStage is a stage of a REST API of the template that a usage plan
// meters.
type APIStage struct {
	API   string // logical id of the AWS::Serverless::Api
	Stage string
}

// Throttle is a usage plan's token bucket per API key: RateLimit tokens a
// second fill a bucket that holds BurstLimit
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-throttling.html).
type Throttle struct {
	RateLimit  float64
	BurstLimit int
}

// Quota is the most requests an API key may make per Period (DAY, WEEK
// or MONTH); Offset is subtracted from Limit in the first period
// (https://docs.aws.amazon.com/apigateway/latest/api/API_QuotaSettings.html).
type Quota struct {
	Limit  int
	Period string
	Offset int
}

func readUsagePlan(id string, rawProps json.RawMessage, props map[string]any) (*UsagePlan, error) {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: usage plan %s: %s", ErrTemplate, id, fmt.Sprintf(format, args...))
	}
	var rawP struct {
		ApiStages []struct{ ApiId any }
	}
	if err := json.Unmarshal(rawProps, &rawP); err != nil {
		return nil, bad("%v", err)
	}
	var p struct {
		ApiStages []struct {
			Stage    any
			Throttle any
		}
		Throttle *struct{ RateLimit, BurstLimit any }
		Quota    *struct{ Limit, Period, Offset any }
	}
	if err := remarshal(props, &p); err != nil {
		return nil, bad("%v", err)
	}
	plan := &UsagePlan{LogicalID: id, ID: UsagePlanID(id)}
	for i, st := range p.ApiStages {
		api, ok := refName(rawP.ApiStages[i].ApiId)
		if !ok {
			return nil, bad("ApiStages[%d].ApiId must be !Ref <Api> of an AWS::Serverless::Api in this template", i)
		}
		if st.Throttle != nil {
			return nil, bad("ApiStages[%d].Throttle: per-method throttles are not emulated locally", i)
		}
		plan.APIStages = append(plan.APIStages, APIStage{API: api, Stage: stringify(st.Stage)})
	}
	var err error
	if t := p.Throttle; t != nil {
		plan.Throttle = &Throttle{}
		if plan.Throttle.RateLimit, err = number(t.RateLimit); err != nil || plan.Throttle.RateLimit < 0 {
			return nil, bad("Throttle.RateLimit %v: want a number of requests a second, 0 or more", t.RateLimit)
		}
		if plan.Throttle.BurstLimit, err = integer(t.BurstLimit); err != nil || plan.Throttle.BurstLimit < 0 {
			return nil, bad("Throttle.BurstLimit %v: want a whole number, 0 or more", t.BurstLimit)
		}
	}
	if q := p.Quota; q != nil {
		plan.Quota = &Quota{Period: stringify(q.Period)}
		if plan.Quota.Limit, err = integer(q.Limit); err != nil || plan.Quota.Limit < 0 {
			return nil, bad("Quota.Limit %v: want a whole number, 0 or more", q.Limit)
		}
		if q.Offset != nil {
			if plan.Quota.Offset, err = integer(q.Offset); err != nil || plan.Quota.Offset < 0 {
				return nil, bad("Quota.Offset %v: want a whole number, 0 or more", q.Offset)
			}
		}
		switch plan.Quota.Period {
		case "DAY", "WEEK", "MONTH":
		default:
			return nil, bad("Quota.Period %q is not DAY, WEEK or MONTH", plan.Quota.Period)
		}
	}
	return plan, nil
}

// linkUsagePlans holds each plan's API stages to the template's REST
// APIs: CloudFormation cannot attach a plan to a stage that does not exist.
func (s *Stack) linkUsagePlans() error {
	for id, plan := range s.UsagePlans {
		for _, st := range plan.APIStages {
			api := s.RestAPIs[st.API]
			switch {
			case api == nil:
				return fmt.Errorf("%w: usage plan %s: ApiId %s is not an AWS::Serverless::Api of this template", ErrTemplate, id, st.API)
			case st.Stage != api.StageName:
				return fmt.Errorf("%w: usage plan %s: %s has no stage %q (its StageName is %q)", ErrTemplate, id, st.API, st.Stage, api.StageName)
			}
		}
	}
	return nil
}

// refName extracts X from {"Ref": "X"}.
func refName(v any) (string, bool) {
	m, ok := v.(map[string]any)
	if !ok || len(m) != 1 {
		return "", false
	}
	name, ok := m["Ref"].(string)
	return name, ok
}

// number reads a resolved number: JSON's, or a string (a Ref to a
// parameter resolves to its text).
func number(v any) (float64, error) {
	switch v := v.(type) {
	case float64:
		return v, nil
	case string:
		return strconv.ParseFloat(v, 64)
	}
	return 0, fmt.Errorf("%v is not a number", v)
}

// integer is number for whole numbers.
func integer(v any) (int, error) {
	f, err := number(v)
	if err != nil {
		return 0, err
	}
	if f != math.Trunc(f) || math.Abs(f) > math.MaxInt32 {
		return 0, fmt.Errorf("%v is not a whole number", v)
	}
	return int(f), nil
}

// boolean reads a resolved boolean (or "true"/"false"); nil is false.
func boolean(v any) (bool, error) {
	switch v := v.(type) {
	case nil:
		return false, nil
	case bool:
		return v, nil
	case string:
		return strconv.ParseBool(v)
	}
	return false, fmt.Errorf("%v is not a boolean", v)
}
