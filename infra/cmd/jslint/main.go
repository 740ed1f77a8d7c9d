// Command jslint is `make lint`'s JavaScript step: ESLint over the web
// console and its tests (internal/jslint), installed into $LOCAL_DIR/jslint
// with npm the first time. Run from the repository root; exit 1 on any
// finding. Like ddblocal it depends on nothing in shared/.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/keymint/keymint/internal/jslint"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx)
	stop()
	os.Exit(code)
}

func run(ctx context.Context) int {
	localDir := os.Getenv("LOCAL_DIR")
	if localDir == "" {
		localDir = ".local"
	}
	err := jslint.Run(ctx, ".", localDir, os.Stdout)
	if errors.Is(err, jslint.ErrFindings) {
		fmt.Fprintln(os.Stderr, "jslint: ESLint found problems (above)")
		return 1
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}
