// Command keymint-local is the local stand-in for the SAM CLI: it runs
// keymint's API and the example orders APIs on DynamoDB Local and a
// development OpenID Connect provider (`run`),
// invokes one function (`invoke`), mints a working admin token (`admin`),
// prints a development user's ID token (`login`), runs a
// command under a throw-away DynamoDB Local (`test-ddb`), prints a fresh
// keyring for ops (`keyring`) and formats benchmark output (`bench-report`).
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

const usage = `usage: keymint-local <command> [flags]

commands:
  run                         serve keymint's API on 127.0.0.1:$PORT (3000), the example orders API on
                              127.0.0.1:$EXAMPLE_PORT (3001) and its REST twin with usage plans on
                              127.0.0.1:$EXAMPLE_REST_PORT (3002), with DynamoDB Local on $DYNAMODB_PORT (8000)
  login <user> [-password p]  print an ID token of a development user (alice, bob, root) from the running stack's provider
  admin                       make sure $LOCAL_DIR/admin-token holds a working admin token (re-enables its owner)
  invoke <LogicalId> [-e f]   invoke one function with the event in file f ("-": stdin) and print its answer
  run and invoke take -env-vars file.json (sam local --env-vars format) and -set 'NAME=value ...'
  (every function that declares NAME); a setting no function declares is refused
  test-ddb -- <cmd> [args]    run cmd with DYNAMODB_ENDPOINT set to a fresh in-memory DynamoDB Local
  keyring                     print a fresh keyring JSON for the Secrets Manager secret
  bench-report [-o file]      read 'go test -bench' output on stdin, write BENCHMARKS.md

environment: LOCAL_DIR (.local), PORT (3000), EXAMPLE_PORT (3001), EXAMPLE_REST_PORT (3002), DYNAMODB_PORT (8000),
             TRUSTED_PROXIES (none)
`

// exitError carries a specific exit status out of a subcommand.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := dispatch(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	var ee exitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		os.Exit(ee.code)
	default:
		fmt.Fprintln(os.Stderr, "keymint-local:", err)
		os.Exit(2)
	}
}

func dispatch(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitError{2}
	}
	switch args[0] {
	case "run":
		return cmdRun(ctx, args[1:], stdout, stderr)
	case "invoke":
		return cmdInvoke(ctx, args[1:], stdout, stderr)
	case "login":
		return cmdLogin(ctx, args[1:], stdout, stderr)
	case "admin":
		return cmdAdmin(ctx, args[1:], stdout, stderr)
	case "test-ddb":
		return cmdTestDDB(ctx, args[1:], stderr)
	case "keyring":
		return cmdKeyring(stdout)
	case "bench-report":
		return cmdBenchReport(args[1:], os.Stdin)
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprintf(stderr, "unknown command %q\n\n%s", args[0], usage)
	return exitError{2}
}
