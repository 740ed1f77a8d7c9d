package app

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/keymint/keymint/shared/clock"
	"github.com/keymint/keymint/shared/config"
	"github.com/keymint/keymint/shared/keyring"
	"github.com/keymint/keymint/shared/lifecycle"
	"github.com/keymint/keymint/shared/policy"
	"github.com/keymint/keymint/shared/store"
)

// App is one function's dependency graph.
type App struct {
	Config    config.Config
	AWS       aws.Config
	Store     *store.Store
	Keyring   *keyring.Keyring
	Catalogue *policy.Catalogue
	Clock     clock.Clock
	Log       *slog.Logger
}

// New builds the dependencies from the environment read through getenv.
func New(ctx context.Context, getenv func(string) string) (*App, error) {
	cfg, err := config.FromEnv(getenv)
	if err != nil {
		return nil, err
	}
	awsCfg, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("app: aws config: %w", err)
	}
	db := dynamodb.NewFromConfig(awsCfg, func(o *dynamodb.Options) {
		if cfg.DynamoDBEndpoint != "" {
			o.BaseEndpoint = aws.String(cfg.DynamoDBEndpoint)
			// DynamoDB Local's CRC32 header does not always match its body;
			// the SDK then logs a warning on every call. AWS's endpoint is
			// checked as usual.
			o.DisableValidateResponseChecksum = true
		}
	})
	var src keyring.Source
	if cfg.KeyringSecretARN != "" {
		src = keyring.NewSecretsManagerSource(secretsmanager.NewFromConfig(awsCfg), cfg.KeyringSecretARN)
	} else {
		src = keyring.NewFileSource(cfg.KeyringFile)
	}
	return Assemble(cfg, awsCfg, db, src, clock.System{}, NewLogger())
}

// Assemble builds an App from parts, so tests and the local stack can hand
// in their own DynamoDB client, keyring source and clock.
func Assemble(cfg config.Config, awsCfg aws.Config, db store.API, src keyring.Source, clk clock.Clock, log *slog.Logger) (*App, error) {
	cat, err := policy.Load(cfg.ScopesFile)
	if err != nil {
		return nil, fmt.Errorf("app: scope catalogue: %w", err)
	}
	return &App{
		Config:    cfg,
		AWS:       awsCfg,
		Store:     store.New(db, cfg.TableName, lifecycle.FromConfig(cfg), cfg.ConsistentReads),
		Keyring:   keyring.New(src, clk, cfg.KeyringRefresh),
		Catalogue: cat,
		Clock:     clk,
		Log:       log,
	}, nil
}

// NewLogger is the JSON logger every function uses: Lambda's request id is
// added to each record logged with a context.
func NewLogger() *slog.Logger {
	return slog.New(lambdacontext.NewLogHandler())
}
