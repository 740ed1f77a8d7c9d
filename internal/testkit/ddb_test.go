package testkit_test

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/keymint/keymint/internal/testkit"
)

func TestMain(m *testing.M) { testkit.Main(m) }

func TestTableNameIsValidAndUnique(t *testing.T) {
	t.Parallel()
	valid := regexp.MustCompile(`^[A-Za-z0-9_.-]{3,255}$`)
	tests := []string{
		"TestX",
		"TestX/sub test with spaces & symbols #1",
		strings.Repeat("TestVeryLong/", 40),
	}
	for _, name := range tests {
		a, b := testkit.TableName(name), testkit.TableName(name)
		if !valid.MatchString(a) {
			t.Errorf("TableName(%q) = %q, not a valid table name", name, a)
		}
		if a == b {
			t.Errorf("TableName(%q) returned %q twice", name, a)
		}
	}
}

func TestNewTableIsUsableAndCleanedUp(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var name string
	t.Run("inner", func(t *testing.T) {
		var client *dynamodb.Client
		client, name = testkit.NewTable(t)
		_, err := client.PutItem(ctx, &dynamodb.PutItemInput{
			TableName: aws.String(name),
			Item: map[string]types.AttributeValue{
				"PK":     &types.AttributeValueMemberS{Value: "OWNER#a"},
				"SK":     &types.AttributeValueMemberS{Value: "META"},
				"GSI1PK": &types.AttributeValueMemberS{Value: "OWNER#a"},
				"GSI1SK": &types.AttributeValueMemberS{Value: "0001#x"},
			},
		})
		if err != nil {
			t.Fatal(err)
		}
		out, err := client.Query(ctx, &dynamodb.QueryInput{
			TableName:                 aws.String(name),
			IndexName:                 aws.String("GSI1"),
			KeyConditionExpression:    aws.String("GSI1PK = :o"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":o": &types.AttributeValueMemberS{Value: "OWNER#a"}},
		})
		if err != nil {
			t.Fatal(err)
		}
		if out.Count != 1 {
			t.Fatalf("GSI1 query found %d items, want 1", out.Count)
		}
	})
	_, err := testkit.Client(t).DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)})
	var notFound *types.ResourceNotFoundException
	if !errors.As(err, &notFound) {
		t.Fatalf("table %s after its test ended: err = %v, want ResourceNotFoundException", name, err)
	}
}

func TestRepoRootHoldsTemplate(t *testing.T) {
	t.Parallel()
	if _, err := testkit.Def(); err != nil {
		t.Fatalf("template.yaml at the repo root: %v", err)
	}
}
