package main

import (
	"github.com/keymint/keymint/internal/localapi"
	"github.com/keymint/keymint/internal/stack"
)

// usagePlans is the control plane behind the REST APIs' usage plans: which
// usage plan (st.UsagePlans, by their local ids) each API key is attached
// to. It knows no API keys yet, so every method that requires one answers
// 403 {"message":"Forbidden"}; an emulator of API Gateway's CreateApiKey
// and CreateUsagePlanKey takes its place here.
func usagePlans(st *stack.Stack, s settings) localapi.UsagePlans {
	return noAPIKeys{}
}

// noAPIKeys is a control plane that has made no API keys.
type noAPIKeys struct{}

func (noAPIKeys) PlanOf(apiID, stage, keyValue string) (string, bool) { return "", false }
