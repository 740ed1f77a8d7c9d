// Package localgw stands in for the part of API Gateway's control plane
// keymint calls — API keys and usage plan keys — for the local stack and
// tests, speaking the REST protocol the AWS SDK for Go speaks to
// apigateway.<region>.amazonaws.com (API Gateway V1 API reference,
// https://docs.aws.amazon.com/apigateway/latest/api/API_Operations.html):
// CreateApiKey, GetApiKeys, GetApiKey, DeleteApiKey, CreateUsagePlanKey,
// GetUsagePlanKey, DeleteUsagePlanKey and GetUsagePlanKeys, with API Gateway's errors
// (NotFoundException, ConflictException, BadRequestException,
// TooManyRequestsException) in the x-amzn-ErrorType header and a
// {"message"} body, which is how the SDK tells them apart.
//
// Usage plans themselves come from the template (the local stack's
// AWS::ApiGateway::UsagePlan resources) and are not created here. Server
// also answers the local REST API's question of which usage plan holds a
// key (PlanOf). Requests are not signature-checked.
package localgw
