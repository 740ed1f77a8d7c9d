// Package stack reads what the local stack needs from template.yaml: each
// function's environment, build settings and policies, the HTTP APIs'
// routes and their Lambda authorizers, the REST APIs (AWS::Serverless::Api:
// stage, API key source, Lambda authorizers, routes from Api events) and
// the usage plans on their stages (AWS::ApiGateway::UsagePlan: throttle and
// quota), so `make run` and `sam deploy` share one source. Resources whose
// Condition is false with the resolver's parameters are left out, as
// CloudFormation would not create them.
//
// Intrinsics resolve to local stand-ins (Resolver). A Ref to a resource is
// its logical id, except a Ref to a usage plan: that is the plan's local
// id, its logical id in lower case (UsagePlanID: ExampleFreeUsagePlan is
// examplefreeusageplan), the kind of id API Gateway gives a plan and the
// one the local API Gateway and its control plane know it by.
package stack
