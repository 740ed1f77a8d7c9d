package iamcheck

import (
	"context"
	"sort"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/keymint/keymint/shared/keyring"
	"github.com/keymint/keymint/shared/store"
)

// Resource kinds a policy statement can name.
const (
	Table    = "table"
	Secret   = "secret"
	EventBus = "event-bus"
	// APIGateway prefixes an API Gateway control-plane resource path, ids
	// as * (/apikeys, /usageplans/*/keys, ...).
	APIGateway = "apigateway:"
)

// Recorder collects "action@resource" pairs.
type Recorder struct {
	mu  sync.Mutex
	got map[string]bool
}

// NewRecorder returns an empty Recorder.
func NewRecorder() *Recorder { return &Recorder{got: map[string]bool{}} }

// Add records one action on one resource kind.
func (r *Recorder) Add(action, resource string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got[action+"@"+resource] = true
}

// Actions returns what was recorded, sorted.
func (r *Recorder) Actions() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]string, 0, len(r.got))
	for k := range r.got {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// DB wraps a DynamoDB client and records the IAM action of each call.
// Transactions are authorised per item, so each item counts on its own.
type DB struct {
	Inner store.API
	Rec   *Recorder
}

var _ store.API = DB{}

func onIndex(index *string) string {
	if index == nil {
		return Table
	}
	return "index/" + aws.ToString(index)
}

// GetItem records dynamodb:GetItem.
func (d DB) GetItem(ctx context.Context, in *dynamodb.GetItemInput, o ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	d.Rec.Add("dynamodb:GetItem", Table)
	return d.Inner.GetItem(ctx, in, o...)
}

// PutItem records dynamodb:PutItem.
func (d DB) PutItem(ctx context.Context, in *dynamodb.PutItemInput, o ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	d.Rec.Add("dynamodb:PutItem", Table)
	return d.Inner.PutItem(ctx, in, o...)
}

// UpdateItem records dynamodb:UpdateItem.
func (d DB) UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, o ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	d.Rec.Add("dynamodb:UpdateItem", Table)
	return d.Inner.UpdateItem(ctx, in, o...)
}

// DeleteItem records dynamodb:DeleteItem.
func (d DB) DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, o ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error) {
	d.Rec.Add("dynamodb:DeleteItem", Table)
	return d.Inner.DeleteItem(ctx, in, o...)
}

// Query records dynamodb:Query on the table or the index queried.
func (d DB) Query(ctx context.Context, in *dynamodb.QueryInput, o ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	d.Rec.Add("dynamodb:Query", onIndex(in.IndexName))
	return d.Inner.Query(ctx, in, o...)
}

// Scan records dynamodb:Scan on the table.
func (d DB) Scan(ctx context.Context, in *dynamodb.ScanInput, o ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error) {
	d.Rec.Add("dynamodb:Scan", onIndex(in.IndexName))
	return d.Inner.Scan(ctx, in, o...)
}

// TransactWriteItems records each item's own action.
func (d DB) TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, o ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	for _, it := range in.TransactItems {
		switch {
		case it.Put != nil:
			d.Rec.Add("dynamodb:PutItem", Table)
		case it.Update != nil:
			d.Rec.Add("dynamodb:UpdateItem", Table)
		case it.Delete != nil:
			d.Rec.Add("dynamodb:DeleteItem", Table)
		case it.ConditionCheck != nil:
			d.Rec.Add("dynamodb:ConditionCheckItem", Table)
		}
	}
	return d.Inner.TransactWriteItems(ctx, in, o...)
}

// Source wraps a keyring source; each load is a GetSecretValue in AWS.
type Source struct {
	Inner keyring.Source
	Rec   *Recorder
}

// Load records secretsmanager:GetSecretValue.
func (s Source) Load(ctx context.Context) ([]byte, error) {
	s.Rec.Add("secretsmanager:GetSecretValue", Secret)
	return s.Inner.Load(ctx)
}
