package config

import (
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/keymint/keymint/shared/lifecycle"
	"github.com/keymint/keymint/shared/signin"
	"github.com/keymint/keymint/shared/token"
)

// Config is every setting a keymint function reads from its environment.
type Config struct {
	TableName          string
	DynamoDBEndpoint   string // DynamoDB Local; empty on AWS
	APIGatewayEndpoint string // the local stack's stand-in for API Gateway's control plane; empty on AWS
	KeyringSecretARN   string // Secrets Manager secret holding the keyring; empty locally
	KeyringFile        string // local keyring file, used when KeyringSecretARN is empty
	KeyringRefresh     time.Duration
	LocalDir           string
	TokenPrefix        string
	ScopesFile         string // empty: the catalogue shipped with the function
	ScopesJSON         string // the catalogue itself (template parameter ScopeCatalogue); wins over the shipped one
	PlansFile          string // the plan catalogue file; empty with PlansJSON empty: no plans
	PlansJSON          string // the plan catalogue itself (template parameter Plans)
	DefaultPlan        string // the plan of owners no admin put on another
	EventBusName       string // sweeper notices; empty: append to LocalDir/notices.jsonl
	AuthorizerResp     string // "simple" or "iam" for HTTP API v2 authorizer events
	ConsistentReads    bool
	AllowClockOverride bool

	DefaultLifetime time.Duration
	MaxLifetime     time.Duration
	InactiveAfter   time.Duration
	DeleteAfterIdle time.Duration
	Retention       time.Duration
	AuditRetention  time.Duration
	SingleToken     bool
	// RegenerateExpired lets regenerate give an expired token a new secret
	// (its old one stays dead); false refuses, so an expired token is gone
	// for good and a new one must be issued.
	RegenerateExpired bool
	LastUsedInterval  time.Duration
	CacheTTL          time.Duration
	CacheMaxEntries   int
	// RequireEnablement: an owner must be enabled by an admin before its
	// tokens can be issued (TOKENS_REQUIRE_ENABLEMENT).
	RequireEnablement bool
	// OIDC is sign-in with OpenID Connect ID tokens on the management API;
	// off when OIDC.Issuer is empty.
	OIDC signin.OIDC
	// InitializationType is how Lambda started this execution environment
	// (AWS_LAMBDA_INITIALIZATION_TYPE: on-demand, provisioned-concurrency,
	// snap-start; https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime).
	// Lambda sets it; it is not a deployment setting.
	InitializationType string
	// RuntimeAPI is the host:port of the Runtime and Extensions APIs
	// (AWS_LAMBDA_RUNTIME_API), where validate registers the extension that
	// writes usage after the answer. Lambda sets it (the local stack sets
	// it too); empty elsewhere, and usage is written before answering.
	RuntimeAPI string
}

// RuntimeAPIVar is the variable Lambda sets to the Runtime and Extensions
// APIs' host:port. validate's wiring reads it before the Config is built
// (its extension registers during the rest of Init), so it is named here,
// once.
const RuntimeAPIVar = "AWS_LAMBDA_RUNTIME_API"

// Provisioned reports an environment started ahead of traffic
// (provisioned concurrency): init has time to spare before the first event.
func (c Config) Provisioned() bool { return c.InitializationType == "provisioned-concurrency" }

// Rules are the lifecycle durations the deployment set.
func (c Config) Rules() lifecycle.Rules {
	return lifecycle.Rules{
		InactiveAfter:   c.InactiveAfter,
		DeleteAfterIdle: c.DeleteAfterIdle,
		Retention:       c.Retention,
		AuditRetention:  c.AuditRetention,
		DefaultLifetime: c.DefaultLifetime,
		MaxLifetime:     c.MaxLifetime,
	}
}

const day = 24 * time.Hour

// FromEnv reads the settings through getenv (os.Getenv in Lambda, a map in
// the local stack and tests) and applies the documented defaults (docs/configuration.md).
func FromEnv(getenv func(string) string) (Config, error) {
	r := reader{getenv: getenv}
	c := Config{
		TableName:          r.str("TABLE_NAME", ""),
		DynamoDBEndpoint:   r.str("DYNAMODB_ENDPOINT", ""),
		APIGatewayEndpoint: r.str("APIGATEWAY_ENDPOINT", ""),
		KeyringSecretARN:   r.str("KEYRING_SECRET_ARN", ""),
		LocalDir:           r.str("LOCAL_DIR", ".local"),
		TokenPrefix:        r.str("TOKEN_PREFIX", "kmt"),
		ScopesFile:         r.str("SCOPES_FILE", ""),
		ScopesJSON:         r.str("SCOPES_JSON", ""),
		PlansFile:          r.str("PLANS_FILE", ""),
		PlansJSON:          r.str("PLANS_JSON", ""),
		DefaultPlan:        r.str("DEFAULT_PLAN", ""),
		EventBusName:       r.str("EVENT_BUS_NAME", ""),
		AuthorizerResp:     r.str("AUTHORIZER_RESPONSE", "simple"),
		ConsistentReads:    r.boolean("CONSISTENT_READS", false),
		AllowClockOverride: r.boolean("KEYMINT_ALLOW_CLOCK_OVERRIDE", false),
		KeyringRefresh:     r.duration("KEYRING_REFRESH_INTERVAL", 15*time.Minute),
		DefaultLifetime:    r.days("DEFAULT_LIFETIME_DAYS", 30),
		MaxLifetime:        r.days("MAX_LIFETIME_DAYS", 366),
		InactiveAfter:      r.days("INACTIVE_AFTER_DAYS", 30),
		DeleteAfterIdle:    r.days("DELETE_AFTER_IDLE_DAYS", 90),
		Retention:          r.days("RETENTION_DAYS", 30),
		AuditRetention:     r.days("AUDIT_RETENTION_DAYS", 400),
		SingleToken:        r.boolean("SINGLE_TOKEN_PER_OWNER", false),
		RegenerateExpired:  r.boolean("REGENERATE_EXPIRED", true),
		LastUsedInterval:   r.duration("LAST_USED_INTERVAL", 5*time.Minute),
		CacheTTL:           r.duration("VALIDATE_CACHE_TTL", 2*time.Second),
		CacheMaxEntries:    r.integer("VALIDATE_CACHE_MAX_ENTRIES", 10000),
		InitializationType: r.str("AWS_LAMBDA_INITIALIZATION_TYPE", ""),
		RuntimeAPI:         r.str(RuntimeAPIVar, ""),
		RequireEnablement:  r.boolean("TOKENS_REQUIRE_ENABLEMENT", false),
		OIDC: signin.OIDC{
			Issuer:      r.str("OIDC_ISSUER", ""),
			Audience:    r.str("OIDC_AUDIENCE", ""),
			OwnerClaim:  r.str("OIDC_OWNER_CLAIM", "sub"),
			AdminClaim:  r.str("OIDC_ADMIN_CLAIM", ""),
			AdminValue:  r.str("OIDC_ADMIN_VALUE", ""),
			Scopes:      strings.Fields(r.str("OIDC_SCOPES", "tokens:read tokens:write")),
			AdminScopes: strings.Fields(r.str("OIDC_ADMIN_SCOPES", "tokens:admin")),
		},
	}
	c.KeyringFile = r.str("KEYRING_FILE", c.LocalDir+"/keyring.json")
	if r.err != nil {
		return Config{}, r.err
	}
	return c, c.check()
}

func (c Config) check() error {
	var errs []error
	if c.TableName == "" {
		errs = append(errs, fmt.Errorf("%w: TABLE_NAME is required", ErrInvalid))
	}
	if !token.ValidPrefix(c.TokenPrefix) {
		errs = append(errs, fmt.Errorf("%w: TOKEN_PREFIX must be 2-8 lower-case letters", ErrInvalid))
	}
	if c.ScopesFile != "" && c.ScopesJSON != "" {
		errs = append(errs, fmt.Errorf("%w: set SCOPES_FILE or SCOPES_JSON, not both", ErrInvalid))
	}
	if c.PlansFile != "" && c.PlansJSON != "" {
		errs = append(errs, fmt.Errorf("%w: set PLANS_FILE or PLANS_JSON, not both", ErrInvalid))
	}
	if c.AuthorizerResp != "simple" && c.AuthorizerResp != "iam" {
		errs = append(errs, fmt.Errorf("%w: AUTHORIZER_RESPONSE must be simple or iam", ErrInvalid))
	}
	if c.DefaultLifetime <= 0 || c.MaxLifetime < c.DefaultLifetime {
		errs = append(errs, fmt.Errorf("%w: need 0 < DEFAULT_LIFETIME_DAYS <= MAX_LIFETIME_DAYS", ErrInvalid))
	}
	if c.InactiveAfter <= 0 || c.DeleteAfterIdle < c.InactiveAfter {
		errs = append(errs, fmt.Errorf("%w: need 0 < INACTIVE_AFTER_DAYS <= DELETE_AFTER_IDLE_DAYS", ErrInvalid))
	}
	if c.Retention <= 0 || c.AuditRetention <= 0 {
		errs = append(errs, fmt.Errorf("%w: RETENTION_DAYS and AUDIT_RETENTION_DAYS must be positive", ErrInvalid))
	}
	if c.CacheTTL < 0 || c.LastUsedInterval < 0 || c.CacheMaxEntries < 0 {
		errs = append(errs, fmt.Errorf("%w: VALIDATE_CACHE_TTL, LAST_USED_INTERVAL and VALIDATE_CACHE_MAX_ENTRIES must not be negative", ErrInvalid))
	}
	if o := c.OIDC; o.On() {
		switch {
		case o.Audience == "":
			errs = append(errs, fmt.Errorf("%w: OIDC_AUDIENCE is required with OIDC_ISSUER", ErrInvalid))
		case (o.AdminClaim == "") != (o.AdminValue == ""):
			errs = append(errs, fmt.Errorf("%w: set OIDC_ADMIN_CLAIM and OIDC_ADMIN_VALUE together", ErrInvalid))
		}
		// An ID token is a bearer credential: from anywhere but https (or a
		// loopback provider for local stacks) it could be swapped in transit.
		if u, err := url.Parse(o.Issuer); err != nil || !(u.Scheme == "https" || u.Scheme == "http" && isLoopback(u.Hostname())) {
			errs = append(errs, fmt.Errorf("%w: OIDC_ISSUER must be an https URL (http only on a loopback address)", ErrInvalid))
		}
	}
	return errors.Join(errs...)
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	a, err := netip.ParseAddr(host)
	return err == nil && a.IsLoopback()
}

// reader keeps the first parse error so FromEnv reads as a flat list.
type reader struct {
	getenv func(string) string
	err    error
}

func (r *reader) str(key, def string) string {
	if v := r.getenv(key); v != "" {
		return v
	}
	return def
}

func (r *reader) fail(key, v, want string) {
	if r.err == nil {
		r.err = fmt.Errorf("%w: %s=%q is not %s", ErrInvalid, key, v, want)
	}
}

func (r *reader) integer(key string, def int) int {
	v := r.getenv(key)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		r.fail(key, v, "a whole number")
		return def
	}
	return n
}

func (r *reader) days(key string, def int) time.Duration {
	return time.Duration(r.integer(key, def)) * day
}

func (r *reader) boolean(key string, def bool) bool {
	v := r.getenv(key)
	if v == "" {
		return def
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		r.fail(key, v, "true or false")
		return def
	}
	return b
}

// duration accepts Go durations ("5m", "2s") and bare seconds ("300").
func (r *reader) duration(key string, def time.Duration) time.Duration {
	v := r.getenv(key)
	if v == "" {
		return def
	}
	if n, err := strconv.Atoi(v); err == nil {
		return time.Duration(n) * time.Second
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		r.fail(key, v, "a duration such as 5m or 300")
		return def
	}
	return d
}
