// Command oidclocal installs the local OpenID Connect provider (internal/oidc)
// for `make deps`. Like ddblocal it depends on nothing in shared/, so the
// install works while a shared package is mid-edit; it is a command of its
// own so that ddblocal stays about DynamoDB Local.
//
//	oidclocal install    check Node.js 20+, npm-install the provider into $LOCAL_DIR/oidc-provider
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/keymint/keymint/internal/oidc"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stderr io.Writer) int {
	if len(args) != 1 || args[0] != "install" {
		fmt.Fprintln(stderr, "usage: oidclocal install")
		return 2
	}
	localDir := os.Getenv("LOCAL_DIR")
	if localDir == "" {
		localDir = ".local"
	}
	dir, err := oidc.EnsureInstalled(ctx, localDir)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	fmt.Fprintf(stderr, "OpenID Connect provider (%s) ready in %s\n", oidc.Package, dir)
	return 0
}
