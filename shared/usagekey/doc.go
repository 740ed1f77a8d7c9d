// Package usagekey ties owners to API Gateway usage plans. API Gateway
// throttles and meters a REST API's requests by API key and usage plan
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-api-usage-plans.html);
// with the API's key source set to AUTHORIZER the key is the one a Lambda
// authorizer names as usageIdentifierKey
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-api-key-source.html).
// So each owner whose plan names a usage plan gets one API key, created
// here, attached to that usage plan and moved when the owner's plan moves;
// its value is copied onto the owner's tokens, and validate answers with it.
//
// The key's value identifies an owner to API Gateway's metering; it is not a
// credential: clients never see it, and with the AUTHORIZER key source API
// Gateway takes it only from the authorizer's answer.
//
// Limits this package respects (https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html):
// 10,000 API keys per account and Region, CreateApiKey at 5 requests a
// second, and one usage plan per key per API stage — so a key leaves its
// old usage plan before it joins the new one, and API Gateway refuses the
// owner's REST requests (403) for the moment between. Usage plans are
// enforced best effort: they are not a billing-grade count.
package usagekey
