// Package tabledef turns the AWS::DynamoDB::Table in template.yaml into the
// calls that create the same table on DynamoDB Local, so the template stays
// the one source of truth for keys, indexes and the TTL attribute.
package tabledef

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	cfnddb "github.com/awslabs/goformation/v7/cloudformation/dynamodb"
	"github.com/awslabs/goformation/v7/intrinsics"
	"github.com/keymint/keymint/internal/cfn"
)

// LogicalID is the table's logical id in template.yaml.
const LogicalID = "TokenTable"

// ErrNotFound means the template has no usable table resource.
var ErrNotFound = errors.New("tabledef: table resource not found in template")

// ErrMismatch means an existing table's keys or indexes differ from the
// template (typically a .local database created by an older template).
var ErrMismatch = errors.New("tabledef: existing table differs from template")

// Def is the part of the table resource that matters for creating it.
type Def struct {
	AttributeDefinitions   []types.AttributeDefinition
	KeySchema              []types.KeySchemaElement
	GlobalSecondaryIndexes []types.GlobalSecondaryIndex
	TTLAttribute           string // empty when the template enables no TTL
	SSEEnabled             bool
}

// FromTemplate reads the TokenTable resource of the SAM/CloudFormation
// template at path.
func FromTemplate(path string) (Def, error) {
	tmpl, err := cfn.ParseFile(path, &intrinsics.ProcessorOptions{
		// The table definition needs no Ref values, and resolving a Ref to a
		// String parameter's default ("true") would not fit boolean fields such
		// as DeletionProtectionEnabled; dropping every Ref keeps parsing total.
		IntrinsicHandlerOverrides: map[string]intrinsics.IntrinsicHandler{
			"Ref": func(string, any, any) any { return nil },
		},
	})
	if err != nil {
		return Def{}, fmt.Errorf("tabledef: parse %s: %w", path, err)
	}
	t, err := tmpl.GetDynamoDBTableWithName(LogicalID)
	if err != nil {
		return Def{}, fmt.Errorf("%w: %s in %s: %v", ErrNotFound, LogicalID, path, err)
	}
	return fromResource(t)
}

func fromResource(t *cfnddb.Table) (Def, error) {
	if len(t.KeySchema) == 0 {
		return Def{}, fmt.Errorf("%w: %s has no KeySchema", ErrNotFound, LogicalID)
	}
	var d Def
	for _, a := range t.AttributeDefinitions {
		d.AttributeDefinitions = append(d.AttributeDefinitions, types.AttributeDefinition{
			AttributeName: aws.String(a.AttributeName),
			AttributeType: types.ScalarAttributeType(a.AttributeType),
		})
	}
	d.KeySchema = keySchema(t.KeySchema)
	for _, g := range t.GlobalSecondaryIndexes {
		p := &types.Projection{ProjectionType: types.ProjectionTypeAll}
		if g.Projection.ProjectionType != nil {
			p.ProjectionType = types.ProjectionType(*g.Projection.ProjectionType)
		}
		if p.ProjectionType == types.ProjectionTypeInclude {
			p.NonKeyAttributes = g.Projection.NonKeyAttributes
		}
		d.GlobalSecondaryIndexes = append(d.GlobalSecondaryIndexes, types.GlobalSecondaryIndex{
			IndexName:  aws.String(g.IndexName),
			KeySchema:  keySchema(g.KeySchema),
			Projection: p,
		})
	}
	if s := t.TimeToLiveSpecification; s != nil && s.Enabled && s.AttributeName != nil {
		d.TTLAttribute = *s.AttributeName
	}
	if s := t.SSESpecification; s != nil {
		d.SSEEnabled = s.SSEEnabled
	}
	return d, nil
}

func keySchema(ks []cfnddb.Table_KeySchema) []types.KeySchemaElement {
	out := make([]types.KeySchemaElement, 0, len(ks))
	for _, k := range ks {
		out = append(out, types.KeySchemaElement{
			AttributeName: aws.String(k.AttributeName),
			KeyType:       types.KeyType(k.KeyType),
		})
	}
	return out
}

// CreateTableInput is the on-demand CreateTable call for a table named name.
// SSE is left to the service default: AWS encrypts every table at rest
// anyway, and DynamoDB Local has no KMS to point a key at.
func (d Def) CreateTableInput(name string) *dynamodb.CreateTableInput {
	return &dynamodb.CreateTableInput{
		TableName:              aws.String(name),
		AttributeDefinitions:   d.AttributeDefinitions,
		KeySchema:              d.KeySchema,
		GlobalSecondaryIndexes: d.GlobalSecondaryIndexes,
		BillingMode:            types.BillingModePayPerRequest,
	}
}

// API is the part of the DynamoDB client Ensure uses.
type API interface {
	CreateTable(context.Context, *dynamodb.CreateTableInput, ...func(*dynamodb.Options)) (*dynamodb.CreateTableOutput, error)
	DescribeTable(context.Context, *dynamodb.DescribeTableInput, ...func(*dynamodb.Options)) (*dynamodb.DescribeTableOutput, error)
	DescribeTimeToLive(context.Context, *dynamodb.DescribeTimeToLiveInput, ...func(*dynamodb.Options)) (*dynamodb.DescribeTimeToLiveOutput, error)
	UpdateTimeToLive(context.Context, *dynamodb.UpdateTimeToLiveInput, ...func(*dynamodb.Options)) (*dynamodb.UpdateTimeToLiveOutput, error)
}

var _ API = (*dynamodb.Client)(nil)

// activeTimeout bounds the wait for ACTIVE; DynamoDB Local is instant, AWS
// takes seconds, anything longer means something is wrong.
const activeTimeout = 2 * time.Minute

// Ensure creates the table if it does not exist, waits until it is ACTIVE
// and enables TTL. Running it again on an existing table is a no-op; an
// existing table whose keys or indexes differ from def is ErrMismatch.
func Ensure(ctx context.Context, client API, tableName string, def Def) error {
	_, err := client.CreateTable(ctx, def.CreateTableInput(tableName))
	var inUse *types.ResourceInUseException
	if err != nil && !errors.As(err, &inUse) {
		return fmt.Errorf("tabledef: create %s: %w", tableName, err)
	}
	desc, err := waitActive(ctx, client, tableName)
	if err != nil {
		return err
	}
	if err := def.matches(desc); err != nil {
		return fmt.Errorf("%w: %s: %v", ErrMismatch, tableName, err)
	}
	if def.TTLAttribute == "" {
		return nil
	}
	return ensureTTL(ctx, client, tableName, def.TTLAttribute)
}

func waitActive(ctx context.Context, client API, name string) (*types.TableDescription, error) {
	ctx, cancel := context.WithTimeout(ctx, activeTimeout)
	defer cancel()
	delay := 50 * time.Millisecond
	for {
		out, err := client.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)})
		if err != nil {
			return nil, fmt.Errorf("tabledef: describe %s: %w", name, err)
		}
		if out.Table.TableStatus == types.TableStatusActive {
			return out.Table, nil
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("tabledef: %s not ACTIVE (status %s): %w", name, out.Table.TableStatus, ctx.Err())
		case <-time.After(delay):
		}
		delay = min(2*delay, 2*time.Second)
	}
}

func ensureTTL(ctx context.Context, client API, name, attr string) error {
	out, err := client.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String(name)})
	if err != nil {
		return fmt.Errorf("tabledef: describe TTL of %s: %w", name, err)
	}
	if d := out.TimeToLiveDescription; d != nil && aws.ToString(d.AttributeName) == attr &&
		(d.TimeToLiveStatus == types.TimeToLiveStatusEnabled || d.TimeToLiveStatus == types.TimeToLiveStatusEnabling) {
		return nil
	}
	_, err = client.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{
		TableName: aws.String(name),
		TimeToLiveSpecification: &types.TimeToLiveSpecification{
			AttributeName: aws.String(attr),
			Enabled:       aws.Bool(true),
		},
	})
	if err != nil {
		return fmt.Errorf("tabledef: enable TTL %s on %s: %w", attr, name, err)
	}
	return nil
}

// matches compares the keys and index keys, which cannot be changed in
// place; projections and billing are left alone.
func (d Def) matches(t *types.TableDescription) error {
	if !sameKeys(d.KeySchema, t.KeySchema) {
		return errors.New("primary key differs")
	}
	for _, want := range d.GlobalSecondaryIndexes {
		i := slices.IndexFunc(t.GlobalSecondaryIndexes, func(g types.GlobalSecondaryIndexDescription) bool {
			return aws.ToString(g.IndexName) == aws.ToString(want.IndexName)
		})
		if i < 0 {
			return fmt.Errorf("index %s missing", aws.ToString(want.IndexName))
		}
		if !sameKeys(want.KeySchema, t.GlobalSecondaryIndexes[i].KeySchema) {
			return fmt.Errorf("index %s key differs", aws.ToString(want.IndexName))
		}
	}
	return nil
}

func sameKeys(a, b []types.KeySchemaElement) bool {
	return slices.EqualFunc(a, b, func(x, y types.KeySchemaElement) bool {
		return aws.ToString(x.AttributeName) == aws.ToString(y.AttributeName) && x.KeyType == y.KeyType
	})
}
