package tabledef_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/keymint/keymint/internal/tabledef"
	"github.com/keymint/keymint/internal/testkit"
)

func TestMain(m *testing.M) { testkit.Main(m) }

func repoTemplate(t *testing.T) string {
	t.Helper()
	root, err := testkit.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(root, "template.yaml")
}

func TestFromTemplateReadsTokenTable(t *testing.T) {
	t.Parallel()
	def, err := tabledef.FromTemplate(repoTemplate(t))
	if err != nil {
		t.Fatal(err)
	}
	if def.TTLAttribute != "expiresTTL" {
		t.Errorf("TTLAttribute = %q, want expiresTTL", def.TTLAttribute)
	}
	if !def.SSEEnabled {
		t.Error("SSEEnabled = false, want true")
	}
	if got := keys(def.KeySchema); !slices.Equal(got, []string{"PK HASH", "SK RANGE"}) {
		t.Errorf("KeySchema = %v", got)
	}
	wantIdx := map[string][]string{
		"GSI1": {"GSI1PK HASH", "GSI1SK RANGE"},
		"GSI2": {"GSI2PK HASH", "GSI2SK RANGE"},
		"GSI3": {"GSI3PK HASH", "GSI3SK RANGE"},
	}
	if len(def.GlobalSecondaryIndexes) != len(wantIdx) {
		t.Fatalf("%d GSIs, want %d", len(def.GlobalSecondaryIndexes), len(wantIdx))
	}
	for _, g := range def.GlobalSecondaryIndexes {
		want, ok := wantIdx[aws.ToString(g.IndexName)]
		if !ok {
			t.Errorf("unexpected index %s", aws.ToString(g.IndexName))
			continue
		}
		if got := keys(g.KeySchema); !slices.Equal(got, want) {
			t.Errorf("%s keys = %v, want %v", aws.ToString(g.IndexName), got, want)
		}
		wantProj := types.ProjectionTypeAll
		if aws.ToString(g.IndexName) == "GSI3" {
			// The admins index projects only what the lockout rule reads.
			wantProj = types.ProjectionTypeInclude
			if !slices.Contains(g.Projection.NonKeyAttributes, "owner") || !slices.Contains(g.Projection.NonKeyAttributes, "expiresAt") {
				t.Errorf("GSI3 projects %v", g.Projection.NonKeyAttributes)
			}
		}
		if g.Projection.ProjectionType != wantProj {
			t.Errorf("%s projection = %s, want %s", aws.ToString(g.IndexName), g.Projection.ProjectionType, wantProj)
		}
	}
	for _, a := range def.AttributeDefinitions {
		if a.AttributeType != types.ScalarAttributeTypeS {
			t.Errorf("attribute %s type %s, want S", aws.ToString(a.AttributeName), a.AttributeType)
		}
	}
}

func TestFromTemplateErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		body    string
		wantErr error
	}{
		{
			name:    "no table",
			body:    "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n",
			wantErr: tabledef.ErrNotFound,
		},
		{
			name:    "table without key schema",
			body:    "Resources:\n  TokenTable:\n    Type: AWS::DynamoDB::Table\n    Properties:\n      BillingMode: PAY_PER_REQUEST\n",
			wantErr: tabledef.ErrNotFound,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "template.yaml")
			if err := os.WriteFile(path, []byte(tc.body), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := tabledef.FromTemplate(path)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
		})
	}
}

func TestFromTemplateMissingFile(t *testing.T) {
	t.Parallel()
	_, err := tabledef.FromTemplate(filepath.Join(t.TempDir(), "nope.yaml"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("err = %v, want os.ErrNotExist", err)
	}
}

func TestEnsureCreatesTableWithIndexesAndTTL(t *testing.T) {
	t.Parallel()
	def, err := tabledef.FromTemplate(repoTemplate(t))
	if err != nil {
		t.Fatal(err)
	}
	client := testkit.Client(t)
	name := testkit.TableName(t.Name())
	ctx := context.Background()
	t.Cleanup(func() {
		_, _ = client.DeleteTable(context.Background(), &dynamodb.DeleteTableInput{TableName: aws.String(name)})
	})
	// Twice: the second run meets an existing table with TTL already on.
	for i := range 2 {
		if err := tabledef.Ensure(ctx, client, name, def); err != nil {
			t.Fatalf("Ensure #%d: %v", i+1, err)
		}
	}
	out, err := client.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	if out.Table.TableStatus != types.TableStatusActive {
		t.Errorf("status %s, want ACTIVE", out.Table.TableStatus)
	}
	var idx []string
	for _, g := range out.Table.GlobalSecondaryIndexes {
		idx = append(idx, aws.ToString(g.IndexName))
	}
	slices.Sort(idx)
	if !slices.Equal(idx, []string{"GSI1", "GSI2", "GSI3"}) {
		t.Errorf("indexes %v, want [GSI1 GSI2 GSI3]", idx)
	}
	ttl, err := client.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	if d := ttl.TimeToLiveDescription; aws.ToString(d.AttributeName) != "expiresTTL" || d.TimeToLiveStatus != types.TimeToLiveStatusEnabled {
		t.Errorf("TTL = %s on %q, want ENABLED on expiresTTL", d.TimeToLiveStatus, aws.ToString(d.AttributeName))
	}
}

func TestEnsureRejectsDifferentExistingTable(t *testing.T) {
	t.Parallel()
	def, err := tabledef.FromTemplate(repoTemplate(t))
	if err != nil {
		t.Fatal(err)
	}
	client := testkit.Client(t)
	ctx := context.Background()
	tests := []struct {
		name  string
		alter func(tabledef.Def) tabledef.Def
	}{
		{"missing GSI2", func(d tabledef.Def) tabledef.Def {
			d.GlobalSecondaryIndexes = d.GlobalSecondaryIndexes[:1]
			return d
		}},
		{"no indexes", func(d tabledef.Def) tabledef.Def {
			d.GlobalSecondaryIndexes = nil
			return d
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			name := testkit.TableName(t.Name())
			t.Cleanup(func() {
				_, _ = client.DeleteTable(context.Background(), &dynamodb.DeleteTableInput{TableName: aws.String(name)})
			})
			old := pruned(tc.alter(clone(def)))
			if err := tabledef.Ensure(ctx, client, name, old); err != nil {
				t.Fatal(err)
			}
			if err := tabledef.Ensure(ctx, client, name, def); !errors.Is(err, tabledef.ErrMismatch) {
				t.Fatalf("err = %v, want ErrMismatch", err)
			}
		})
	}
}

func clone(d tabledef.Def) tabledef.Def {
	d.GlobalSecondaryIndexes = slices.Clone(d.GlobalSecondaryIndexes)
	return d
}

// pruned drops attribute definitions no key uses, as CreateTable demands.
func pruned(d tabledef.Def) tabledef.Def {
	used := map[string]bool{}
	for _, k := range d.KeySchema {
		used[aws.ToString(k.AttributeName)] = true
	}
	for _, g := range d.GlobalSecondaryIndexes {
		for _, k := range g.KeySchema {
			used[aws.ToString(k.AttributeName)] = true
		}
	}
	d.AttributeDefinitions = slices.DeleteFunc(slices.Clone(d.AttributeDefinitions), func(a types.AttributeDefinition) bool {
		return !used[aws.ToString(a.AttributeName)]
	})
	return d
}

func keys(ks []types.KeySchemaElement) []string {
	var out []string
	for _, k := range ks {
		out = append(out, aws.ToString(k.AttributeName)+" "+string(k.KeyType))
	}
	return out
}
