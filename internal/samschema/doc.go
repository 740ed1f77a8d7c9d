// Package samschema checks a SAM template against the JSON schema AWS SAM
// publishes for templates (sam.schema.json beside this file, embedded; where
// it comes from: SOURCE.md). No SAM CLI or cfn-lint runs in this repository,
// so this is the nearest stand-in for `sam validate --lint`;
// infra/templatecheck holds template.yaml to it.
//
// How intrinsics are judged. The template is read with its short-form tags
// (!Ref, !GetAtt A.B, !If, ...) turned into their JSON forms ({"Ref": ..},
// {"Fn::GetAtt": ["A", "B"]}, ...) by internal/cfn and the whole
// document is validated (draft-04, github.com/pb33f/jsonschema/v6, the fork of
// santhosh-tekuri/jsonschema that libopenapi-validator uses too). Where the
// schema wants a literal (an integer, a boolean, an enum string, a map of
// known keys) and the template holds an intrinsic, the schema reports an
// error. Such an error is forgiven only at a documented pass-through:
//
//   - a property the schema marks `__samPassThrough` (SAM copies it to the
//     CloudFormation resource it generates, and CloudFormation resolves the
//     intrinsic there). The schema types these as PassThroughProp ({}), so it
//     accepts an intrinsic there by itself: Function Timeout, Runtime,
//     Environment, ...;
//   - a property whose documentation, which SAM publishes in the schema's
//     markdownDescription, says "*CloudFormation compatibility*: This property
//     is passed directly to ..." though the schema types it as a literal
//     (EventInvokeConfig MaximumRetryAttempts, DeadLetterQueue TargetArn,
//     HttpApi DefinitionUri Bucket/Key, ...);
//   - anything inside such a property.
//
// Everywhere else, notably the properties documented "This property is unique
// to AWS SAM and doesn't have an AWS CloudFormation equivalent", SAM reads the
// value itself while it transforms the template; it does not resolve
// intrinsics ("AWS SAM has limited support for certain intrinsic function
// properties, so it is unable to resolve some intrinsic functions",
// https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-specification-intrinsic-functions.html),
// so an intrinsic the schema refuses there is an error. (SAM-only properties
// whose schema takes a map, FunctionArn, ApiId, Policies, take an intrinsic
// by the schema itself; the summary lists them apart.) For example HttpApi
// Auth.Authorizers.<name>.Identity.ReauthorizeEvery is "Type: Integer ... This
// property is unique to AWS SAM"
// (https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-property-httpapi-lambdaauthorizationidentity.html),
// and SAM's translator copies whatever stands there into the
// x-amazon-apigateway-authorizer of the OpenAPI body it generates
// (authorizerResultTtlInSeconds, ApiGatewayV2Authorizer.generate_openapi in
// aws/serverless-application-model samtranslator/model/apigatewayv2.py).
//
// One intrinsic is judged by its results instead: an Fn::If whose branches
// are all literals (or such Fn::Ifs). SAM copies it where it stands too, but
// CloudFormation resolves intrinsics in every resource property, the
// generated API's OpenAPI body included
// (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference.html),
// so what arrives is one of the literals. The template is validated once per
// branch, each Fn::If of that kind replaced by that branch's literal, and
// every branch must pass.
//
// Every other schema error (an unknown property, a wrong literal type, a
// missing required property, an unknown AWS::Serverless type) is an error.
// Resources of other types (AWS::DynamoDB::Table, ...) only need a Type that
// is not AWS::Serverless::*: SAM's schema does not describe them.
package samschema
