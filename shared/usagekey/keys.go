package usagekey

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
)

// API is the part of API Gateway's control plane keymint calls.
type API interface {
	GetApiKeys(ctx context.Context, in *apigateway.GetApiKeysInput, opt ...func(*apigateway.Options)) (*apigateway.GetApiKeysOutput, error)
	CreateApiKey(ctx context.Context, in *apigateway.CreateApiKeyInput, opt ...func(*apigateway.Options)) (*apigateway.CreateApiKeyOutput, error)
	CreateUsagePlanKey(ctx context.Context, in *apigateway.CreateUsagePlanKeyInput, opt ...func(*apigateway.Options)) (*apigateway.CreateUsagePlanKeyOutput, error)
	DeleteUsagePlanKey(ctx context.Context, in *apigateway.DeleteUsagePlanKeyInput, opt ...func(*apigateway.Options)) (*apigateway.DeleteUsagePlanKeyOutput, error)
	GetUsagePlanKey(ctx context.Context, in *apigateway.GetUsagePlanKeyInput, opt ...func(*apigateway.Options)) (*apigateway.GetUsagePlanKeyOutput, error)
}

var _ API = (*apigateway.Client)(nil)

// Key is an owner's API key: its id, its value (the usageIdentifierKey
// validate answers with) and the usage plan it is in ("" for none).
type Key struct {
	ID        string
	Value     string
	UsagePlan string
}

// Keys manages owners' API keys in one deployment.
type Keys struct {
	api       API
	namespace string
}

// New manages keys through api. namespace (the deployment's table name)
// keeps two deployments in one account and Region from finding each
// other's keys by name.
func New(api API, namespace string) *Keys { return &Keys{api: api, namespace: namespace} }

// Name is the name of owner's API key.
func (k *Keys) Name(owner string) string { return "keymint:" + k.namespace + ":" + owner }

// Assign puts owner's key into usagePlan ("" takes it out of any) and
// returns it: cur when the owner has one (a cur without its value is
// looked up by name for it), else the key of its name if an
// earlier call made it (so a retry after a lost answer makes no second
// key), else a new one. Every step is idempotent, so calling again after a
// failure converges; on a failure the key is left where it was whenever
// API Gateway lets it be.
func (k *Keys) Assign(ctx context.Context, owner string, cur Key, usagePlan string) (Key, error) {
	if cur.UsagePlan == usagePlan && (usagePlan == "" || cur.ID != "") {
		return cur, nil
	}
	key := cur
	if key.ID == "" || key.Value == "" {
		if usagePlan == "" {
			return key, nil
		}
		found, err := k.ensure(ctx, owner)
		if err != nil {
			return cur, err
		}
		key = Key{ID: found.ID, Value: found.Value, UsagePlan: cur.UsagePlan}
	}
	if err := k.move(ctx, key, usagePlan, cur.ID == ""); err != nil {
		return cur, err
	}
	key.UsagePlan = usagePlan
	return key, nil
}

// move takes key out of key.UsagePlan and into usagePlan (none for "").
// found: the key was found by name, in a plan the caller does not know.
func (k *Keys) move(ctx context.Context, key Key, usagePlan string, found bool) error {
	if usagePlan == "" {
		return k.leave(ctx, key)
	}
	err := k.join(ctx, key, usagePlan)
	switch {
	case err == nil:
		return k.leave(ctx, key)
	case !conflict(err):
		return wrapJoin(err, key.ID, usagePlan)
	case key.UsagePlan != "":
		// API Gateway allows one usage plan per key and API stage: the
		// key leaves its plan first, and rejoins it if the new one fails.
		if err := k.leave(ctx, key); err != nil {
			return err
		}
		if err := k.join(ctx, key, usagePlan); err != nil && !conflict(err) {
			_ = k.join(ctx, key, key.UsagePlan)
			return wrapJoin(err, key.ID, usagePlan)
		}
	case found:
		// A conflict means the key is in this plan, or in another of its
		// stages (an earlier attempt's, whose answer was lost): only the
		// first is done.
		if _, err := k.api.GetUsagePlanKey(ctx, &apigateway.GetUsagePlanKeyInput{UsagePlanId: aws.String(usagePlan), KeyId: aws.String(key.ID)}); err != nil {
			return fmt.Errorf("%w: key %s is in another usage plan of %s's stages: %w", ErrGateway, key.ID, usagePlan, err)
		}
	}
	return nil // a conflict otherwise: already in it
}

func (k *Keys) join(ctx context.Context, key Key, usagePlan string) error {
	_, err := k.api.CreateUsagePlanKey(ctx, &apigateway.CreateUsagePlanKeyInput{UsagePlanId: aws.String(usagePlan), KeyId: aws.String(key.ID), KeyType: aws.String("API_KEY")})
	return err
}

// leave takes key out of its usage plan; one it is no longer in is fine.
func (k *Keys) leave(ctx context.Context, key Key) error {
	if key.UsagePlan == "" {
		return nil
	}
	_, err := k.api.DeleteUsagePlanKey(ctx, &apigateway.DeleteUsagePlanKeyInput{UsagePlanId: aws.String(key.UsagePlan), KeyId: aws.String(key.ID)})
	if err != nil && !notFound(err) {
		return fmt.Errorf("%w: remove key %s from usage plan %s: %w", ErrGateway, key.ID, key.UsagePlan, err)
	}
	return nil
}

func wrapJoin(err error, keyID, usagePlan string) error {
	if notFound(err) {
		return fmt.Errorf("%w: %s: %w", ErrUnknownUsagePlan, usagePlan, err)
	}
	return fmt.Errorf("%w: add key %s to usage plan %s: %w", ErrGateway, keyID, usagePlan, err)
}

// ensure finds owner's key by name or creates it, enabled, for the owner
// as API Gateway's customerId.
func (k *Keys) ensure(ctx context.Context, owner string) (Key, error) {
	name := k.Name(owner)
	pages := apigateway.NewGetApiKeysPaginator(k.api, &apigateway.GetApiKeysInput{NameQuery: aws.String(name), IncludeValues: aws.Bool(true), Limit: aws.Int32(500)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return Key{}, fmt.Errorf("%w: find key %q: %w", ErrGateway, name, err)
		}
		for _, it := range page.Items {
			if aws.ToString(it.Name) == name && aws.ToString(it.Value) != "" {
				return Key{ID: aws.ToString(it.Id), Value: aws.ToString(it.Value)}, nil
			}
		}
	}
	out, err := k.api.CreateApiKey(ctx, &apigateway.CreateApiKeyInput{Name: aws.String(name), CustomerId: aws.String(owner), Enabled: true,
		Description: aws.String("keymint owner " + owner + ": identifies its requests to its plan's usage plan")})
	if err != nil {
		return Key{}, fmt.Errorf("%w: create key %q: %w", ErrGateway, name, err)
	}
	return Key{ID: aws.ToString(out.Id), Value: aws.ToString(out.Value)}, nil
}

func notFound(err error) bool {
	var nf *types.NotFoundException
	return errors.As(err, &nf)
}

func conflict(err error) bool {
	var c *types.ConflictException
	return errors.As(err, &c)
}
