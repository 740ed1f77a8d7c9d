package usagekey

import "errors"

var (
	// ErrUnknownUsagePlan: API Gateway has no usage plan of the id a plan
	// names (a misconfigured plan catalogue).
	ErrUnknownUsagePlan = errors.New("usagekey: API Gateway has no such usage plan")
	// ErrGateway: API Gateway refused or did not answer; nothing this
	// package could decide. The SDK's error is wrapped for the log.
	ErrGateway = errors.New("usagekey: API Gateway call failed")
)
