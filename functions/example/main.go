// Command example is the ExampleFunction Lambda: the backend of the example
// orders API (template parameter ExampleApi), an example of your own
// backend behind keymint, not part of keymint's service. Like your backend
// it needs nothing of keymint's: no App, no table, no keyring.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/keymint/keymint/shared/example"
)

func main() {
	lambda.Start(example.Serve)
}
