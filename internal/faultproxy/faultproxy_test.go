package faultproxy_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/keymint/keymint/internal/ddblocal"
	"github.com/keymint/keymint/internal/faultproxy"
	"github.com/keymint/keymint/internal/testkit"
)

func TestMain(m *testing.M) { testkit.Main(m) }

// noRetry makes the SDK give up after one attempt, so the raw fault shows.
func noRetry(o *dynamodb.Options) { o.RetryMaxAttempts = 1 }

// startProxy runs a proxy in front of DynamoDB Local for one test and
// returns it with a client that goes through it. The client has the SDK's
// defaults (standard retryer, 3 attempts), like keymint's.
func startProxy(t *testing.T) (*faultproxy.Proxy, *dynamodb.Client) {
	t.Helper()
	p, err := faultproxy.New(testkit.Endpoint())
	if err != nil {
		t.Fatal(err)
	}
	url, err := p.Listen()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := p.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return p, ddblocal.NewClient(url)
}

func inject(t *testing.T, p *faultproxy.Proxy, r faultproxy.Rule) {
	t.Helper()
	if err := p.Inject(r); err != nil {
		t.Fatalf("Inject(%+v): %v", r, err)
	}
}

func key(pk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		"PK": &types.AttributeValueMemberS{Value: pk},
		"SK": &types.AttributeValueMemberS{Value: "META"},
	}
}

func put(ctx context.Context, c *dynamodb.Client, table, pk string, opts ...func(*dynamodb.Options)) error {
	_, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: key(pk)}, opts...)
	return err
}

func get(ctx context.Context, c *dynamodb.Client, table, pk string, opts ...func(*dynamodb.Options)) error {
	_, err := c.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(table), Key: key(pk)}, opts...)
	return err
}

// exists reads straight from DynamoDB Local, bypassing any proxy.
func exists(t *testing.T, direct *dynamodb.Client, table, pk string) bool {
	t.Helper()
	out, err := direct.GetItem(context.Background(), &dynamodb.GetItemInput{
		TableName: aws.String(table), Key: key(pk), ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		t.Fatalf("direct GetItem %s: %v", pk, err)
	}
	return out.Item != nil
}

// isA reports whether err wraps an error of type T.
func isA[T error](err error) bool {
	var target T
	return errors.As(err, &target)
}

// eventually polls cond until it holds or a few seconds pass, for counters
// the proxy updates after the client has already returned.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
