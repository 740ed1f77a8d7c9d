package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/keymint/keymint/internal/localrt"
)

// cmdAdmin makes sure $LOCAL_DIR/admin-token holds a working admin token,
// minting one by direct invoke (and re-enabling the bootstrap owner) when it
// does not: the way back in after any lockout over HTTP.
func cmdAdmin(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("admin", flag.ContinueOnError)
	fs.SetOutput(stderr)
	template := fs.String("template", "template.yaml", "SAM template")
	if err := fs.Parse(args); err != nil {
		return exitError{2}
	}
	s, err := loadSettings(*template)
	if err != nil {
		return err
	}
	st, err := localrt.LoadStack(s.template)
	if err != nil {
		return err
	}
	fns, done, err := functionsOnData(ctx, s, st, stdout, stderr, "ValidateFunction", "IssueFunction", "RevokeFunction")
	if err != nil {
		return err
	}
	defer done()
	issued, err := localrt.EnsureAdminToken(ctx, adminFunctions(fns), s.adminFile, time.Now())
	if err != nil {
		return err
	}
	verb := "still works"
	if issued {
		verb = "was issued (0600)"
	}
	fmt.Fprintf(stdout, "admin token in %s %s\n", s.adminFile, verb)
	return nil
}
