// Package extension lets a Lambda function do work after it has answered:
// an internal Lambda extension, registered from inside the function's own
// process, that holds its Extensions API Next request until that work is
// done, so Lambda does not freeze the execution environment half-way
// through it.
//
// Lambda freezes an environment only when the runtime and every
// registered extension have sent their Next request
// (https://docs.aws.amazon.com/lambda/latest/dg/runtimes-extensions-api.html,
// "Invoke phase"); the runtime sends its Next right after posting the
// answer, so the caller is not kept waiting while the extension works.
// This is the internal-extension option of AWS's "Running code after
// returning a response from an AWS Lambda function"
// (https://aws.amazon.com/blogs/compute/running-code-after-returning-a-response-from-an-aws-lambda-function/).
//
// Invariants:
//   - Work runs after the handler returned its answer for the invocation
//     (the After's Answered signal) and before the extension's next Next,
//     bounded by a budget and by the invocation's deadline: the function
//     timeout covers the whole Invoke phase, extension work included.
//   - The extension reads its INVOKE event only once the handler has
//     answered: while an invocation is answered, nothing of the extension
//     runs (the event waits in its connection). An invocation that never
//     answers holds the extension, as Lambda holds the environment until
//     it times out and resets it.
//   - Register is called during Init (from the function's constructor,
//     before lambda.Start), as internal extensions must be; it registers
//     for INVOKE only (internal extensions may not register for SHUTDOWN).
//   - If the extension stops (its Next fails, which it finds out when it
//     next reads), Running turns false and callers do their work before
//     answering again: nothing waits for an extension that is gone; the
//     work of the answer that found it gone is not done.
package extension
