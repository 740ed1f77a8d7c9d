package validate

// The messages carry no "validate:" prefix: API Gateway matches
// "Unauthorized" exactly, and direct invokers see both as answers.

// ErrUnauthorized is the error API Gateway turns into 401; its text is
// fixed by API Gateway.
var ErrUnauthorized error = Unauthorized{}

// errValidate is the authorizer error for a decision that could not be
// made: API Gateway answers 500, and the cause is in the log.
var errValidate error = ValidateFailed{}

// Lambda names an error's errorType after its Go type
// (https://docs.aws.amazon.com/lambda/latest/dg/golang-exceptions.html);
// these types give direct invokers stable ones, "Unauthorized" and
// "ValidateFailed", where errors.New would say "errorString".
type (
	// Unauthorized is ErrUnauthorized's type.
	Unauthorized struct{}
	// ValidateFailed is the type of the error for a decision that could
	// not be made.
	ValidateFailed struct{}
)

func (Unauthorized) Error() string   { return "Unauthorized" }
func (ValidateFailed) Error() string { return "validate failed" }
