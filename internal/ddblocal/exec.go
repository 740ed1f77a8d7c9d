package ddblocal

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
)

// Exec starts a DynamoDB Local with o, runs the command with
// DYNAMODB_ENDPOINT pointing at it, stops it, and returns the command's exit
// status. One server then serves every package of `go test ./...` instead
// of one JVM per package.
func Exec(ctx context.Context, o Options, stderr io.Writer, name string, args ...string) (int, error) {
	srv, err := Start(ctx, o)
	if err != nil {
		return 0, err
	}
	defer srv.Stop()
	fmt.Fprintf(stderr, "DynamoDB Local on %s\n", srv.Endpoint())
	if o.Warm > 0 {
		n, err := Warm(ctx, srv.Endpoint(), o.Warm)
		if err != nil {
			return 0, err
		}
		fmt.Fprintf(stderr, "DynamoDB Local warmed with %d requests in %s\n", n, o.Warm)
	}

	// Not CommandContext: on Ctrl-C the child gets the signal from the
	// terminal itself and is waited for, so its output is not cut short.
	cmd := exec.Command(name, args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.Env = append(os.Environ(), "DYNAMODB_ENDPOINT="+srv.Endpoint())
	return exitStatus(cmd.Run())
}

// exitStatus turns the result of running a command into its exit status;
// err is left for failures to run it at all.
func exitStatus(err error) (int, error) {
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0, nil
	case errors.As(err, &exit):
		if code := exit.ExitCode(); code >= 0 {
			return code, nil
		}
		return 1, nil // killed by a signal
	}
	return 0, err
}
