package app

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/keymint/keymint/shared/clock"
	"github.com/keymint/keymint/shared/config"
	"github.com/keymint/keymint/shared/keyring"
	"github.com/keymint/keymint/shared/plan"
	"github.com/keymint/keymint/shared/policy"
	"github.com/keymint/keymint/shared/store"
	"github.com/keymint/keymint/shared/token"
)

// App is one function's dependency graph.
type App struct {
	Config config.Config
	AWS    aws.Config
	Store  *store.Store
	// Keyring reads the source Assemble was given: a local file, or a
	// test's. It is nil on AWS (KEYRING_SECRET_ARN set): there
	// shared/app/pepper reads Secrets Manager, for the functions that hash
	// or verify secrets only, so the others never link its SDK.
	Keyring   *keyring.Keyring
	Catalogue *policy.Catalogue
	// Plans are the customers' plans (PLANS_FILE, PLANS_JSON), or
	// plan.None's one implicit plan.
	Plans *plan.Catalogue
	Clock clock.Clock
	Log   *slog.Logger
}

// New builds the dependencies from the environment read through getenv.
func New(ctx context.Context, getenv func(string) string) (*App, error) {
	cfg, err := config.FromEnv(getenv)
	if err != nil {
		return nil, err
	}
	awsCfg, err := awsconfig.LoadDefaultConfig(ctx, awsconfig.WithRetryer(NewRetryer))
	if err != nil {
		return nil, fmt.Errorf("app: aws config: %w", err)
	}
	db := NewDynamoDB(awsCfg, cfg.DynamoDBEndpoint)
	var src keyring.Source // nil: the secret, which pepper reads
	if cfg.KeyringSecretARN == "" {
		src = keyring.NewFileSource(cfg.KeyringFile)
	}
	return Assemble(cfg, awsCfg, db, src, clock.System{}, NewLogger())
}

// NewDynamoDB is the DynamoDB client of every function; endpoint is
// DynamoDB Local's, or "" on AWS.
func NewDynamoDB(awsCfg aws.Config, endpoint string) *dynamodb.Client {
	return dynamodb.NewFromConfig(awsCfg, func(o *dynamodb.Options) {
		if endpoint != "" {
			o.BaseEndpoint = aws.String(endpoint)
			// DynamoDB Local's CRC32 header does not always match its body;
			// the SDK then logs a warning on every call. AWS's endpoint is
			// checked as usual.
			o.DisableValidateResponseChecksum = true
		}
	})
}

// Assemble builds an App from parts, so tests and the local stack can hand
// in their own DynamoDB client, keyring source and clock. A nil src leaves
// the App without a Keyring (see App.Keyring).
func Assemble(cfg config.Config, awsCfg aws.Config, db store.API, src keyring.Source, clk clock.Clock, log *slog.Logger) (*App, error) {
	cat, err := catalogue(cfg)
	if err != nil {
		return nil, fmt.Errorf("app: scope catalogue: %w", err)
	}
	// A person's scopes are read at every sign-in: a typo there must stop
	// the deployment, not quietly grant nothing.
	for _, s := range slices.Concat(cfg.OIDC.Scopes, cfg.OIDC.AdminScopes) {
		if cfg.OIDC.On() && !cat.Known(s) {
			return nil, fmt.Errorf("app: OIDC_SCOPES/OIDC_ADMIN_SCOPES: %w", policy.UnknownScopeError{Scope: s})
		}
	}
	plans, err := plan.Load(cfg.PlansJSON, cfg.PlansFile, cfg.DefaultPlan, cat, policy.Management)
	if err != nil {
		return nil, fmt.Errorf("app: plans: %w", err)
	}
	var keys *keyring.Keyring
	if src != nil {
		keys = keyring.New(src, clk, cfg.KeyringRefresh)
	}
	return &App{
		Config:    cfg,
		AWS:       awsCfg,
		Store:     store.New(db, cfg.TableName, cfg.Rules(), store.ReadMode(cfg.ConsistentReads)).WithEnablement(cfg.RequireEnablement),
		Keyring:   keys,
		Catalogue: cat,
		Plans:     plans,
		Clock:     clk,
		Log:       log,
	}, nil
}

// SDK retry bounds. The standard retryer retries throttling, 5xx and
// dropped connections with jittered exponential backoff
// (https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html);
// these bounds keep a faulting table from holding a request past its
// function's deadline, and DynamoDB's own guidance is to retry throttles
// with backoff
// (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html#Programming.Errors.RetryAndBackoff).
// Retried TransactWriteItems calls reuse the SDK's ClientRequestToken, so a
// transaction whose answer was lost is not applied twice.
const (
	RetryMaxAttempts = 3
	RetryMaxBackoff  = 500 * time.Millisecond
)

// NewRetryer is the retryer every function's AWS clients use.
func NewRetryer() aws.Retryer {
	return retry.NewStandard(func(o *retry.StandardOptions) {
		o.MaxAttempts = RetryMaxAttempts
		o.MaxBackoff = RetryMaxBackoff
	})
}

// catalogue is the scope catalogue the deployment chose: inline JSON (the
// template's ScopeCatalogue parameter), a file, or the shipped one.
func catalogue(cfg config.Config) (*policy.Catalogue, error) {
	if cfg.ScopesJSON != "" {
		return policy.Parse([]byte(cfg.ScopesJSON))
	}
	return policy.Load(cfg.ScopesFile)
}

// NewLogger is the JSON logger every function uses: Lambda's request id is
// added to each record logged with a context.
func NewLogger() *slog.Logger {
	return slog.New(token.Masking(lambdacontext.NewLogHandler()))
}
