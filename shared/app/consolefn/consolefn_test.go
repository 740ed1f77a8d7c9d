package consolefn_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/keymint/keymint/shared/app"
	"github.com/keymint/keymint/shared/app/consolefn"
	"github.com/keymint/keymint/shared/clock"
	"github.com/keymint/keymint/shared/config"
	"github.com/keymint/keymint/shared/console"
	"github.com/keymint/keymint/shared/keyring"
)

// config.json carries the deployment's settings as shared/config reads
// them from the function's environment (the template's Globals).
func TestConfigCarriesTheDeploymentSettings(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		env  map[string]string
		want console.Config
	}{
		{env: map[string]string{}, want: console.Config{DefaultLifetimeDays: 30, MaxLifetimeDays: 366, MaxGraceSeconds: 604800, LastUsedIntervalSeconds: 300}},
		{env: map[string]string{"LAST_USED_INTERVAL": "90s", "SINGLE_TOKEN_PER_OWNER": "true", "MAX_LIFETIME_DAYS": "90"},
			want: console.Config{DefaultLifetimeDays: 30, MaxLifetimeDays: 90, MaxGraceSeconds: 604800, LastUsedIntervalSeconds: 90, SingleTokenPerOwner: true}},
	} {
		cfg, err := config.FromEnv(func(k string) string {
			if k == "TABLE_NAME" {
				return "keymint-tokens"
			}
			return tc.env[k]
		})
		if err != nil {
			t.Fatal(err)
		}
		a, err := app.Assemble(cfg, aws.Config{}, nil, keyring.StaticSource(nil), clock.System{}, slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		req, err := json.Marshal(events.APIGatewayV2HTTPRequest{RouteKey: console.RouteAsset, PathParameters: map[string]string{"file": "config.json"}})
		if err != nil {
			t.Fatal(err)
		}
		out, err := consolefn.Lambda(a).Invoke(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		var resp events.APIGatewayV2HTTPResponse
		if err := json.Unmarshal(out, &resp); err != nil {
			t.Fatal(err)
		}
		tc.want.Scopes = "openid profile email"
		var got console.Config
		if err := json.Unmarshal([]byte(resp.Body), &got); err != nil || got != tc.want {
			t.Errorf("env %v: config %+v (%v), want %+v", tc.env, got, err, tc.want)
		}
	}
}
