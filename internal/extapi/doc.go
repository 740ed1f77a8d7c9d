// Package extapi is the Lambda Extensions API as Lambda serves it to one
// execution environment, for the local stack and tests: an HTTP server on
// 127.0.0.1 whose address goes into the function's AWS_LAMBDA_RUNTIME_API,
// so an internal extension registered from the function's own code runs
// the same requests it runs on AWS. Nothing of it runs on AWS.
//
// What it follows
// (https://docs.aws.amazon.com/lambda/latest/dg/runtimes-extensions-api.html):
//
//   - Register (POST /2020-01-01/extension/register) is open during Init
//     only: it closes when the runtime finishes its init (RuntimeReady, or
//     the first Invoke). It takes up to 10 extensions, INVOKE only (internal
//     extensions may not register for SHUTDOWN), and answers 200 with a
//     Lambda-Extension-Identifier.
//   - Next (GET /2020-01-01/extension/event/next) blocks until the
//     extension's next event; the first Next ends the extension's Init.
//   - Invoke is one invocation: it waits for Init to end, sends an INVOKE
//     event to every extension registered for it, runs the runtime's part
//     and returns with it: the caller's answer never waits for extensions.
//   - Settled is the moment Lambda would freeze the environment: every
//     extension has sent Next since its last event.
//
// Refusals follow AWS's Runtime Interface Emulator, the Extensions API's
// published implementation
// (https://github.com/aws/aws-lambda-runtime-interface-emulator, package
// internal/lambda/rapi): every refusal of Register and Next is 403 with a
// JSON {"errorMessage","errorType"} body and the emulator's errorType, and
// a dying environment answers 500, the docs' "Container error".
//
// Unlike Lambda, which runs one invocation per environment at a time, a
// local stack runs one function's invocations concurrently: events queue
// per extension, in order, and each Next takes the next one or blocks.
//
// Not emulated: the Runtime API proper (the runtime runs in-process),
// SHUTDOWN (internal extensions cannot have it), the init and exit error
// routes, and resetting the environment when extensions overrun the
// invocation's deadline.
package extapi
