package config_test

import (
	"errors"
	"testing"
	"time"

	"github.com/keymint/keymint/shared/config"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestDefaults(t *testing.T) {
	c, err := config.FromEnv(env(map[string]string{"TABLE_NAME": "t"}))
	if err != nil {
		t.Fatal(err)
	}
	day := 24 * time.Hour
	checks := []struct {
		name      string
		got, want any
	}{
		{"prefix", c.TokenPrefix, "kmt"},
		{"default lifetime", c.DefaultLifetime, 30 * day},
		{"max lifetime", c.MaxLifetime, 366 * day},
		{"inactive after", c.InactiveAfter, 30 * day},
		{"delete after idle", c.DeleteAfterIdle, 90 * day},
		{"retention", c.Retention, 30 * day},
		{"audit retention", c.AuditRetention, 400 * day},
		{"last used interval", c.LastUsedInterval, 5 * time.Minute},
		{"cache ttl", c.CacheTTL, 2 * time.Second},
		{"single token", c.SingleToken, false},
		{"keyring file", c.KeyringFile, ".local/keyring.json"},
		{"authorizer response", c.AuthorizerResp, "simple"},
		{"clock override", c.AllowClockOverride, false},
	}
	for _, ch := range checks {
		if ch.got != ch.want {
			t.Errorf("%s = %v, want %v", ch.name, ch.got, ch.want)
		}
	}
}

func TestOverridesAndDurations(t *testing.T) {
	c, err := config.FromEnv(env(map[string]string{
		"TABLE_NAME": "t", "LAST_USED_INTERVAL": "90", "VALIDATE_CACHE_TTL": "500ms",
		"SINGLE_TOKEN_PER_OWNER": "true", "TOKEN_PREFIX": "acme", "LOCAL_DIR": "/x",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if c.LastUsedInterval != 90*time.Second || c.CacheTTL != 500*time.Millisecond || !c.SingleToken || c.TokenPrefix != "acme" || c.KeyringFile != "/x/keyring.json" {
		t.Fatalf("overrides not applied: %+v", c)
	}
}

func TestInvalid(t *testing.T) {
	cases := map[string]map[string]string{
		"no table":                {},
		"bad prefix":              {"TABLE_NAME": "t", "TOKEN_PREFIX": "KMT"},
		"bad number":              {"TABLE_NAME": "t", "MAX_LIFETIME_DAYS": "many"},
		"default over max":        {"TABLE_NAME": "t", "DEFAULT_LIFETIME_DAYS": "400"},
		"inactive after delete":   {"TABLE_NAME": "t", "INACTIVE_AFTER_DAYS": "100"},
		"bad bool":                {"TABLE_NAME": "t", "SINGLE_TOKEN_PER_OWNER": "maybe"},
		"bad duration":            {"TABLE_NAME": "t", "VALIDATE_CACHE_TTL": "soon"},
		"bad authorizer response": {"TABLE_NAME": "t", "AUTHORIZER_RESPONSE": "json"},
		"negative cache":          {"TABLE_NAME": "t", "VALIDATE_CACHE_TTL": "-1s"},
	}
	for name, vars := range cases {
		t.Run(name, func(t *testing.T) {
			if _, err := config.FromEnv(env(vars)); !errors.Is(err, config.ErrInvalid) {
				t.Fatalf("err = %v, want ErrInvalid", err)
			}
		})
	}
}
