package bench

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"testing"
	"time"

	"github.com/keymint/keymint/shared/registry"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/keymint/keymint/internal/testkit"
	"github.com/keymint/keymint/shared/store"
)

// callCost is what one call cost: wall time, process CPU time, and heap
// allocations (count and bytes) made while it ran.
type callCost struct {
	wall, cpu     time.Duration
	allocs, bytes uint64
}

// measureCall runs fn and returns its cost. The memory statistics are read
// outside the timed span.
func measureCall(fn func()) callCost {
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	c0 := testkit.CPUTime()
	t0 := time.Now()
	fn()
	wall := time.Since(t0)
	cpu := testkit.CPUTime() - c0
	runtime.ReadMemStats(&m1)
	return callCost{wall: wall, cpu: cpu, allocs: m1.Mallocs - m0.Mallocs, bytes: m1.TotalAlloc - m0.TotalAlloc}
}

// costs summarises many calls.
type costs []callCost

func (cs costs) p50() time.Duration {
	ws := make([]time.Duration, len(cs))
	for i, c := range cs {
		ws[i] = c.wall
	}
	return median(ws)
}

func (cs costs) mean(f func(callCost) float64) float64 {
	if len(cs) == 0 {
		return 0
	}
	var sum float64
	for _, c := range cs {
		sum += f(c)
	}
	return sum / float64(len(cs))
}

// bareIssue is a TransactWriteItems of the shape an issue writes (see
// shared/store/write.go): the owner's ConditionCheck, the token Put, its
// audit event Put and its name reservation Put, each with the store's
// condition, on fresh keys.
func bareIssue(table, owner string, now time.Time) (*dynamodb.TransactWriteItemsInput, error) {
	id := rand.Text()[:16]
	name := "bare-" + id
	exp := now.Add(30 * 24 * time.Hour).Unix()
	tok := store.Record{
		PK: "TOKEN#" + id, SK: "META", ID: id, Owner: owner, Name: name,
		Scopes: []string{"tokens:read"}, SecretHash: bytes.Repeat([]byte{7}, 32), KeyID: "k1",
		Status: "active", CreatedAt: now.Unix(), UpdatedAt: now.Unix(), ExpiresAt: exp, Version: 1,
		ExpiresTTL: exp + 30*24*3600, Lifetime: 30 * 24 * 3600, SecretAt: now.Unix(),
		GSI1PK: "OWNER#" + owner, GSI1SK: fmt.Sprintf("%012d#%s", now.Unix(), id),
		GSI2PK: "SWEEP#03", GSI2SK: fmt.Sprintf("%012d#%s", exp, id),
	}
	tokItem, err := attributevalue.MarshalMap(tok)
	if err != nil {
		return nil, err
	}
	at := now.UTC().Format("2006-01-02T15:04:05.000000000Z07:00")
	auditItem, err := attributevalue.MarshalMap(map[string]any{
		"PK": "TOKEN#" + id, "SK": "AUDIT#" + at + "#issue", "tokenId": id, "owner": owner, "at": at,
		"action": "issue", "actor": "ops", "details": map[string]any{"name": name, "scopes": []string{"tokens:read"}, "expiresAt": exp},
		"expiresTTL": now.Add(400 * 24 * time.Hour).Unix(),
	})
	if err != nil {
		return nil, err
	}
	resItem, err := attributevalue.MarshalMap(map[string]any{
		"PK": "NAME#" + owner + "#" + name, "SK": "NAME", "tokenId": id, "expiresAt": exp, "expiresTTL": tok.ExpiresTTL,
	})
	if err != nil {
		return nil, err
	}
	put := func(item map[string]types.AttributeValue, cond expression.ConditionBuilder) (types.TransactWriteItem, error) {
		e, err := expression.NewBuilder().WithCondition(cond).Build()
		if err != nil {
			return types.TransactWriteItem{}, err
		}
		return types.TransactWriteItem{Put: &types.Put{
			TableName: aws.String(table), Item: item, ConditionExpression: e.Condition(),
			ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values(),
		}}, nil
	}
	ownerCond, err := expression.NewBuilder().WithCondition(expression.Or(
		expression.AttributeNotExists(expression.Name("PK")),
		expression.Name("status").NotEqual(expression.Value("disabled")),
	)).Build()
	if err != nil {
		return nil, err
	}
	check := types.TransactWriteItem{ConditionCheck: &types.ConditionCheck{
		TableName: aws.String(table),
		Key: map[string]types.AttributeValue{
			"PK": &types.AttributeValueMemberS{Value: "OWNER#" + owner}, "SK": &types.AttributeValueMemberS{Value: "META"},
		},
		ConditionExpression: ownerCond.Condition(), ExpressionAttributeNames: ownerCond.Names(), ExpressionAttributeValues: ownerCond.Values(),
	}}
	tokPut, err := put(tokItem, expression.AttributeNotExists(expression.Name("PK")))
	if err != nil {
		return nil, err
	}
	auditPut, err := put(auditItem, expression.AttributeNotExists(expression.Name("SK")))
	if err != nil {
		return nil, err
	}
	resPut, err := put(resItem, expression.Or(
		expression.AttributeNotExists(expression.Name("PK")),
		expression.Name("tokenId").Equal(expression.Value(id)),
		expression.Name("expiresAt").LessThanEqual(expression.Value(now.Unix())),
	))
	if err != nil {
		return nil, err
	}
	return &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{check, tokPut, auditPut, resPut}}, nil
}

// BenchmarkIssueVsTransactWriteItems compares issuing a token through
// IssueFunction's handler (an ops direct invoke: decode, validate, new
// secret and HMAC, one TransactWriteItems, the answer encoded) with a bare
// TransactWriteItems of the same four items on the same client and table,
// built before the clock starts. The two alternate, max(b.N, 200) pairs
// after a warm-up, and which goes first alternates too. Reported: each
// side's p50 wall time and their ratio, and each side's mean CPU time
// (getrusage) and allocations per call; the built-in B/op and allocs/op
// are one issue's. ns/op is not reported (one op is 200 pairs at b.N=1).
func BenchmarkIssueVsTransactWriteItems(b *testing.B) {
	const warmup, minPairs = 10, 200
	a := testkit.NewLoggingApp(b, nil, io.Discard)
	issue := registry.Functions()["IssueFunction"](a.App)
	ctx := context.Background()
	owner := "bench"
	seq := 0
	doIssue := func() callCost {
		seq++
		req, _ := json.Marshal(map[string]any{"owner": owner, "name": fmt.Sprintf("issue-%d", seq), "scopes": []string{"tokens:read"}})
		var out []byte
		var err error
		c := measureCall(func() { out, err = issue.Invoke(ctx, req) })
		if err != nil || !bytes.Contains(out, []byte(`"token":"`)) {
			b.Fatalf("issue answered %s (%v)", out, err)
		}
		return c
	}
	doTx := func() callCost {
		in, err := bareIssue(a.Table, owner, time.Now())
		if err != nil {
			b.Fatal(err)
		}
		c := measureCall(func() { _, err = a.DB.TransactWriteItems(ctx, in) })
		if err != nil {
			b.Fatalf("bare TransactWriteItems: %v", err)
		}
		return c
	}
	for range warmup {
		doIssue()
		doTx()
	}
	pairs := max(b.N, minPairs)
	issues, txs := make(costs, 0, pairs), make(costs, 0, pairs)
	b.ResetTimer()
	for i := range pairs {
		if i%2 == 0 {
			issues = append(issues, doIssue())
			txs = append(txs, doTx())
		} else {
			txs = append(txs, doTx())
			issues = append(issues, doIssue())
		}
	}
	b.StopTimer()
	ip, tp := issues.p50(), txs.p50()
	b.ReportMetric(float64(ip), "issue-p50-ns")
	b.ReportMetric(float64(tp), "tx-p50-ns")
	b.ReportMetric(float64(ip)/float64(tp), "ratio")
	b.ReportMetric(issues.mean(func(c callCost) float64 { return float64(c.cpu) }), "issue-cpu-ns/op")
	b.ReportMetric(txs.mean(func(c callCost) float64 { return float64(c.cpu) }), "tx-cpu-ns/op")
	b.ReportMetric(txs.mean(func(c callCost) float64 { return float64(c.allocs) }), "tx-allocs/op")
	b.ReportMetric(issues.mean(func(c callCost) float64 { return float64(c.allocs) }), "allocs/op")
	b.ReportMetric(issues.mean(func(c callCost) float64 { return float64(c.bytes) }), "B/op")
	b.ReportMetric(0, "ns/op")
}
