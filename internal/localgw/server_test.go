package localgw_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"github.com/keymint/keymint/internal/localgw"
)

func client(t *testing.T, s *localgw.Server) *apigateway.Client {
	t.Helper()
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return apigateway.New(apigateway.Options{BaseEndpoint: aws.String(srv.URL), Region: "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""), RetryMaxAttempts: 1})
}

// The SDK reads the emulator's answers and errors as it reads API
// Gateway's: keys made, listed by name a page at a time, one usage plan
// per key and stage, and CreateApiKey's five a second.
func TestControlPlane(t *testing.T) {
	ctx := context.Background()
	now := time.Unix(1_800_000_000, 0)
	s := localgw.New(map[string][]string{"free": {"a/v1"}, "team": {"a/v1", "b/v1"}, "b": {"b/v1"}}, func() time.Time { return now })
	api := client(t, s)

	var ids []string
	for i := range localgw.CreateApiKeyRate {
		out, err := api.CreateApiKey(ctx, &apigateway.CreateApiKeyInput{Name: aws.String("k" + string(rune('a'+i))), Enabled: true})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, aws.ToString(out.Id))
	}
	var tooMany *types.TooManyRequestsException
	if _, err := api.CreateApiKey(ctx, &apigateway.CreateApiKeyInput{Name: aws.String("k6"), Enabled: true}); !errors.As(err, &tooMany) {
		t.Fatalf("sixth create in a second: %v", err)
	}
	now = now.Add(time.Second)
	if _, err := api.CreateApiKey(ctx, &apigateway.CreateApiKeyInput{Name: aws.String("k6"), Enabled: true}); err != nil {
		t.Fatalf("a second later: %v", err)
	}

	// Pages of two, by name prefix, values only when asked.
	var seen int
	pages := apigateway.NewGetApiKeysPaginator(api, &apigateway.GetApiKeysInput{NameQuery: aws.String("k"), Limit: aws.Int32(2)})
	for pages.HasMorePages() {
		p, err := pages.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range p.Items {
			if aws.ToString(k.Value) != "" {
				t.Errorf("value listed without includeValues")
			}
		}
		seen += len(p.Items)
	}
	if seen != 6 {
		t.Errorf("listed %d keys, want 6", seen)
	}

	add := func(plan, id string) error {
		_, err := api.CreateUsagePlanKey(ctx, &apigateway.CreateUsagePlanKeyInput{UsagePlanId: aws.String(plan), KeyId: aws.String(id), KeyType: aws.String("API_KEY")})
		return err
	}
	var conflict *types.ConflictException
	var notFound *types.NotFoundException
	cases := []struct {
		name, plan, id string
		want           any
	}{
		{"into free", "free", ids[0], nil},
		{"into free again", "free", ids[0], &conflict},
		{"into team, sharing free's stage", "team", ids[0], &conflict},
		{"into b, another stage", "b", ids[0], nil},
		{"an unknown plan", "gold", ids[0], &notFound},
		{"an unknown key", "free", "nokey", &notFound},
	}
	for _, c := range cases {
		err := add(c.plan, c.id)
		switch target := c.want.(type) {
		case nil:
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
			}
		default:
			if !errors.As(err, target) {
				t.Errorf("%s: %v, want %T", c.name, err, target)
			}
		}
	}
	k, err := api.GetApiKey(ctx, &apigateway.GetApiKeyInput{ApiKey: aws.String(ids[0]), IncludeValue: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	if p, ok := s.PlanOf("a", "v1", aws.ToString(k.Value)); !ok || p != "free" {
		t.Errorf("PlanOf a/v1 = %q %v", p, ok)
	}
	if p, ok := s.PlanOf("b", "v1", aws.ToString(k.Value)); !ok || p != "b" {
		t.Errorf("PlanOf b/v1 = %q %v", p, ok)
	}
	// A deleted key is in no plan.
	if _, err := api.DeleteApiKey(ctx, &apigateway.DeleteApiKeyInput{ApiKey: aws.String(ids[0])}); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.PlanOf("a", "v1", aws.ToString(k.Value)); ok {
		t.Error("a deleted key is still in its plan")
	}
	if _, err := api.DeleteUsagePlanKey(ctx, &apigateway.DeleteUsagePlanKeyInput{UsagePlanId: aws.String("free"), KeyId: aws.String(ids[0])}); !errors.As(err, &notFound) {
		t.Errorf("removing a deleted key: %v", err)
	}
}

// Keys and their usage plans outlive the Server, as they outlive a local
// stack's process in API Gateway: a second Server on the same file knows
// them.
func TestKeep(t *testing.T) {
	ctx := context.Background()
	path := t.TempDir() + "/apigateway.json"
	plans := map[string][]string{"free": {"a/v1"}}
	first := localgw.New(plans, nil)
	if err := first.Keep(path); err != nil {
		t.Fatal(err)
	}
	api := client(t, first)
	k, err := api.CreateApiKey(ctx, &apigateway.CreateApiKeyInput{Name: aws.String("k"), Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := api.CreateUsagePlanKey(ctx, &apigateway.CreateUsagePlanKeyInput{UsagePlanId: aws.String("free"), KeyId: k.Id, KeyType: aws.String("API_KEY")}); err != nil {
		t.Fatal(err)
	}
	second := localgw.New(plans, nil)
	if err := second.Keep(path); err != nil {
		t.Fatal(err)
	}
	if p, ok := second.PlanOf("a", "v1", aws.ToString(k.Value)); !ok || p != "free" {
		t.Errorf("after a restart the key is in %q %v", p, ok)
	}
	// A usage plan the template no longer has keeps no members.
	third := localgw.New(map[string][]string{"team": {"a/v1"}}, nil)
	if err := third.Keep(path); err != nil {
		t.Fatal(err)
	}
	if _, ok := third.PlanOf("a", "v1", aws.ToString(k.Value)); ok {
		t.Error("a key is in a usage plan the template dropped")
	}
}
