package e2e_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/keymint/keymint/internal/faultproxy"
	"github.com/keymint/keymint/internal/localrt"
)

// faultTally collects the suite's figures across its parallel subtests.
type faultTally struct {
	mu           sync.Mutex
	injected     map[faultproxy.Kind]int
	allows       int // a 200 (or active:true) decided while the table faulted
	issues       int // issue attempts under faults
	lost         int // tokens in the table nobody can reach
	slowestCheck time.Duration
}

func (f *faultTally) add(k faultproxy.Kind, injected, allows, issues, lost int, slowest time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.injected[k] += injected
	f.allows += allows
	f.issues += issues
	f.lost += lost
	f.slowestCheck = max(f.slowestCheck, slowest)
}

// faultCase is one kind of fault, as every function meets it.
type faultCase struct {
	kind  faultproxy.Kind
	delay time.Duration // Latency: past every function's deadline
}

// TestFaultsNeverAllowNorLoseTokens puts a fault-injecting proxy between
// the functions and DynamoDB Local and, for each kind of fault (throttling,
// 500, 503, latency past the deadline, connections dropped before and after
// the request reached the table):
//   - validate refuses every token while its reads fault, never allows, and
//     answers inside its 5 s timeout (so the SDK's retries are bounded);
//   - an issue either writes nothing or is recoverable: a retry with its
//     Idempotency-Key answers with the token it made;
//   - a revoke that met a fault, retried, is idempotent (one revocation,
//     one audit event).
func TestFaultsNeverAllowNorLoseTokens(t *testing.T) {
	t.Parallel()
	tally := &faultTally{injected: map[faultproxy.Kind]int{}}
	cases := []faultCase{
		{kind: faultproxy.Throttle},
		{kind: faultproxy.ServerError},
		{kind: faultproxy.Unavailable},
		{kind: faultproxy.Latency, delay: 8 * time.Second}, // past every deadline
		{kind: faultproxy.DropBefore},
		{kind: faultproxy.DropAfter},
	}
	t.Run("kinds", func(t *testing.T) {
		for _, c := range cases {
			t.Run(c.kind.String(), func(t *testing.T) {
				t.Parallel()
				runFaultCase(t, c, tally)
			})
		}
	})
	if tally.allows != 0 || tally.lost != 0 {
		t.Errorf("allows on fault %d, tokens lost %d: both must be 0", tally.allows, tally.lost)
	}
	var kinds []string
	for _, c := range cases {
		kinds = append(kinds, fmt.Sprintf("%s=%d", c.kind, tally.injected[c.kind]))
	}
	t.Logf("faults: %s; allows on fault: %d; issues under fault: %d; tokens lost: %d; slowest validate under fault: %s",
		strings.Join(kinds, " "), tally.allows, tally.issues, tally.lost, tally.slowestCheck.Round(time.Millisecond))
}

func runFaultCase(t *testing.T, c faultCase, tally *faultTally) {
	// Management functions get 6 s instead of 10: a latency fault (8 s)
	// waits out their deadline, and the rule under test is the same; 6 s
	// leaves their calls without faults 4 s before the answer margin, which
	// a machine running the whole suite at once needs. Validate keeps its
	// 5 s, the bound it must answer inside.
	s, proxy := newFaultStack(t, map[string]string{"VALIDATE_CACHE_TTL": "0", "LAST_USED_INTERVAL": "0"}, 6*time.Second)
	inject := func(ops ...string) {
		t.Helper()
		if err := proxy.Inject(faultproxy.Rule{Kind: c.kind, Ops: ops, Delay: c.delay}); err != nil {
			t.Fatal(err)
		}
	}

	// Tokens in every state validate decides on.
	valid := s.opsIssue(map[string]any{"owner": "faulty", "name": "valid", "scopes": []string{"tokens:read"}})["token"].(string)
	revokedV := s.opsIssue(map[string]any{"owner": "faulty", "name": "revoked", "scopes": []string{"tokens:read"}})
	if r := s.do("DELETE", "/tokens/"+revokedV["id"].(string), s.admin, nil, nil); r.status != 200 {
		t.Fatalf("setup revoke: %d %s", r.status, r.body)
	}
	revoked := revokedV["token"].(string)
	badSecret := valid[:len(valid)-7] + "x" + valid[len(valid)-6:] // fails its checksum
	if r := s.do("GET", "/whoami", valid, nil, nil); r.status != 200 {
		t.Fatalf("setup: valid token refused without faults: %d", r.status)
	}

	// 1. validate, with every read failing.
	allows := 0
	slowest := time.Duration(0)
	inject("GetItem")
	checked := []string{valid, revoked, badSecret, s.admin}
	attempts := 3
	if c.kind == faultproxy.Latency {
		// Each of these waits out a deadline; fewer prove the same.
		checked, attempts = checked[:2], 1
	}
	// Every check at once: each may wait out validate's deadline.
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, tok := range checked {
		wg.Add(2)
		go func() {
			defer wg.Done()
			start := time.Now()
			r := s.do("GET", "/whoami", tok, nil, nil)
			mu.Lock()
			defer mu.Unlock()
			slowest = max(slowest, time.Since(start))
			if r.status == 200 {
				allows++
				t.Errorf("%s: a token was allowed while the table failed", c.kind)
			}
		}()
		go func() {
			defer wg.Done()
			if d := direct(t, s, tok); d.Active {
				mu.Lock()
				defer mu.Unlock()
				allows++
				t.Errorf("%s: a direct check said active while the table failed", c.kind)
			}
		}()
	}
	wg.Wait()
	if slowest >= 5*time.Second {
		t.Errorf("%s: validate took %s, past its 5 s timeout", c.kind, slowest)
	}
	proxy.Clear()
	if r := s.do("GET", "/whoami", valid, nil, nil); r.status != 200 {
		t.Fatalf("%s: valid token refused after the fault cleared: %d", c.kind, r.status)
	}

	// 2. issue, with the write transaction failing; then the retry.
	known := map[string]bool{} // token ids someone holds or can reach
	issues := 0
	for i := range attempts {
		key := fmt.Sprintf("%s-%d", c.kind, i)
		body := map[string]any{"name": fmt.Sprintf("i%d", i), "scopes": []string{"tokens:read"}, "owner": "faulty"}
		hdr := map[string]string{"Idempotency-Key": key}
		inject("TransactWriteItems")
		r := s.do("POST", "/tokens", s.admin, body, hdr)
		proxy.Clear()
		issues++
		switch r.status {
		case 201:
			v := r.json(t)
			if direct(t, s, v["token"].(string)).Active != true {
				t.Errorf("%s: issued token does not validate", c.kind)
			}
			known[v["id"].(string)] = true
			continue
		case 503:
			if ct := r.header.Get("Content-Type"); ct != "application/problem+json" {
				t.Errorf("%s: 503 as %s", c.kind, ct)
			}
		default:
			t.Fatalf("%s: issue under fault answered %d %s", c.kind, r.status, r.body)
		}
		retry := s.do("POST", "/tokens", s.admin, body, hdr)
		v := retry.json(t)
		switch {
		case retry.status == 201 && v["token"] != nil:
		case retry.status == 200 && retry.header.Get("Idempotent-Replayed") == "true":
			// The first attempt landed after all: its id is reachable and a
			// regenerate gives its owner a secret.
		default:
			t.Fatalf("%s: retry with the key answered %d %s", c.kind, retry.status, retry.body)
		}
		known[v["id"].(string)] = true
	}
	lost := 0
	for _, id := range ownerTokenIDs(t, s, "faulty") {
		if id == revokedV["id"] || id == tokenID(valid) {
			continue
		}
		if !known[id] {
			lost++
			t.Errorf("%s: token %s exists but no answer named it", c.kind, id)
		}
	}
	if orphans := orphanReservations(t, s); len(orphans) > 0 {
		t.Errorf("%s: name reservations without a live token: %v", c.kind, orphans)
	}

	// 3. revoke, with the write failing, then retried.
	victim := s.opsIssue(map[string]any{"owner": "faulty", "name": "victim", "scopes": []string{"tokens:read"}})
	inject("TransactWriteItems")
	first := s.do("DELETE", "/tokens/"+victim["id"].(string), s.admin, nil, nil)
	proxy.Clear()
	if first.status != 200 && first.status != 503 {
		t.Fatalf("%s: revoke under fault answered %d %s", c.kind, first.status, first.body)
	}
	again := s.do("DELETE", "/tokens/"+victim["id"].(string), s.admin, nil, nil)
	if again.status != 200 || again.json(t)["status"] != "revoked" {
		t.Fatalf("%s: revoke retried: %d %s", c.kind, again.status, again.body)
	}
	if d := direct(t, s, victim["token"].(string)); d.Active {
		t.Errorf("%s: revoked token still validates", c.kind)
	}
	if n := countAudit(t, s, victim["id"].(string), "revoke"); n != 1 {
		t.Errorf("%s: %d revoke events after a retried revoke, want 1", c.kind, n)
	}

	tally.add(c.kind, proxy.Stats().Faults(c.kind), allows, issues, lost, slowest)
}

type directAnswer struct {
	Active bool   `json:"active"`
	Reason string `json:"reason"`
}

// direct asks ValidateFunction by direct invoke; a function error (the
// fail-closed answer to a fault) counts as not active.
func direct(t *testing.T, s *localStack, tok string) directAnswer {
	t.Helper()
	raw, _ := json.Marshal(map[string]string{"token": tok, "route": "GET /whoami"})
	out, err := localrt.Invoke(context.Background(), s.fns["ValidateFunction"], raw)
	if err != nil {
		return directAnswer{}
	}
	var d directAnswer
	if err := json.Unmarshal(out, &d); err != nil {
		t.Fatalf("validate answered %s", out)
	}
	return d
}

func tokenID(tok string) string {
	parts := strings.Split(tok, "_")
	if len(parts) != 3 {
		return ""
	}
	return parts[1]
}

// scan reads every item straight from DynamoDB Local (not through the proxy).
func scan(t *testing.T, s *localStack) []map[string]types.AttributeValue {
	t.Helper()
	var out []map[string]types.AttributeValue
	p := dynamodb.NewScanPaginator(s.db, &dynamodb.ScanInput{TableName: aws.String(s.table), ConsistentRead: aws.Bool(true)})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, page.Items...)
	}
	return out
}

type rawItem struct {
	PK, SK  string
	Owner   string `dynamodbav:"owner"`
	ID      string `dynamodbav:"id"`
	TokenID string `dynamodbav:"tokenId"`
	Action  string `dynamodbav:"action"`
	Status  string `dynamodbav:"status"`
}

func items(t *testing.T, s *localStack) []rawItem {
	t.Helper()
	var out []rawItem
	for _, raw := range scan(t, s) {
		var it rawItem
		if err := attributevalue.UnmarshalMap(raw, &it); err != nil {
			t.Fatal(err)
		}
		out = append(out, it)
	}
	return out
}

func ownerTokenIDs(t *testing.T, s *localStack, owner string) []string {
	var ids []string
	for _, it := range items(t, s) {
		if it.SK == "META" && strings.HasPrefix(it.PK, "TOKEN#") && it.Owner == owner {
			ids = append(ids, it.ID)
		}
	}
	return ids
}

// orphanReservations lists name reservations whose token is missing or
// revoked: what a half-applied write would leave.
func orphanReservations(t *testing.T, s *localStack) []string {
	all := items(t, s)
	live := map[string]bool{}
	for _, it := range all {
		if it.SK == "META" && strings.HasPrefix(it.PK, "TOKEN#") && it.Status != "revoked" {
			live[it.ID] = true
		}
	}
	var out []string
	for _, it := range all {
		if it.SK == "NAME" && !live[it.TokenID] {
			out = append(out, it.PK)
		}
	}
	return out
}

func countAudit(t *testing.T, s *localStack, id, action string) int {
	n := 0
	for _, it := range items(t, s) {
		if it.PK == "TOKEN#"+id && strings.HasPrefix(it.SK, "AUDIT#") && it.Action == action {
			n++
		}
	}
	return n
}
