package usagekeyfn

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/keymint/keymint/shared/app"
	"github.com/keymint/keymint/shared/manage"
	"github.com/keymint/keymint/shared/usagekey"
)

// Keys are the owners' API keys of a's deployment, named within its table;
// nil when no plan names a usage plan, so a deployment without them makes
// no API Gateway call and needs no client.
func Keys(a *app.App) manage.UsageKeys {
	if !a.Plans.UsagePlans() {
		return nil
	}
	api := apigateway.NewFromConfig(a.AWS, func(o *apigateway.Options) {
		if ep := a.Config.APIGatewayEndpoint; ep != "" {
			o.BaseEndpoint = aws.String(ep)
		}
	})
	return keys{usagekey.New(api, a.Config.TableName)}
}

// keys adapts usagekey.Keys to manage's port (the two Key types have the
// same fields).
type keys struct{ k *usagekey.Keys }

var _ manage.UsageKeys = keys{}

func (k keys) Assign(ctx context.Context, owner string, cur manage.UsageKey, usagePlan string) (manage.UsageKey, error) {
	out, err := k.k.Assign(ctx, owner, usagekey.Key(cur), usagePlan)
	return manage.UsageKey(out), err
}
