package app

import (
	"context"
	"log/slog"

	"github.com/keymint/keymint/shared/clock"
	"github.com/keymint/keymint/shared/config"
)

// App is one function's dependency graph.
type App struct {
	Config config.Config
	Clock  clock.Clock
	Log    *slog.Logger
}

// New builds the dependencies from the environment read through getenv.
// STUB: filled in by the token core work.
func New(ctx context.Context, getenv func(string) string) (*App, error) {
	cfg, err := config.FromEnv(getenv)
	if err != nil {
		return nil, err
	}
	return &App{Config: cfg, Clock: clock.System{}, Log: slog.Default()}, nil
}
