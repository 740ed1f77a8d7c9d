package e2e_test

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/keymint/keymint/shared/api"
	"github.com/keymint/keymint/shared/token"
)

// The authorization matrix: every route of keymint's API × every kind of
// credential × every kind of target token, each cell's answer held to what
// an oracle derives from the rules alone (docs/api.md, scopes.json).
//
// Reading order: the three tables (the routes, matrixRoutes in
// matrixroutes_test.go: api.Table's routes with what a cell sends; the
// credentials; the target kinds), then oracle, then
// TestRouteCredentialTargetMatrix, which makes the credentials and targets,
// runs every cell and logs the counts.

// refusedByAuthorizer is API Gateway's answer when the authorizer refuses a
// credential (malformed, bad checksum, unknown, bad secret, revoked,
// expired, inactive, owner disabled). An HTTP API answers `isAuthorized:
// false` with 403; only a missing identity source is 401, before the
// authorizer runs. The gateway's message follows the status.
const refusedByAuthorizer = http.StatusForbidden

// blockedIP fills {ip} in the blocked-ips routes.
const blockedIP = "192.0.2.7"

// The credentials' scope sets. The nine invalid credentials carry
// writeScopes, so only their state can fail them.
var (
	readScopes  = []string{"tokens:read", "orders:read"}
	writeScopes = []string{"tokens:read", "tokens:write", "orders:read"}
	adminScopes = []string{"tokens:admin", "orders:read"}
)

// routeRule is the rule a route's function applies once the gateway let
// the request in.
type routeRule int

const (
	ruleRead        routeRule = iota // GET /tokens/{id}, /usage, /audit
	ruleList                         // GET /tokens
	ruleChange                       // any change to an existing token
	ruleIssue                        // POST /tokens
	ruleBulk                         // POST /tokens/revoke, /deactivate, /activate
	ruleOwnerStatus                  // PUT /owners/{owner}/status
	ruleWhoAmI                       // GET /whoami, GET /scopes
	rulePublic                       // GET /openapi.json, the console: no authorizer at all
	ruleOwnerAdmin                   // GET /owners/{owner}/audit, GET /owners, GET /owners/{owner}, PATCH /owners/{owner}
)

// changes reports a rule that writes the target: its cells get a target of
// their own, and a refused one must leave it as it was.
func (r routeRule) changes() bool { return r == ruleChange || r == ruleBulk }

// matrixRoute is one row of the route table (matrixRoutes).
type matrixRoute struct {
	scope string    // the scope that opens it (the route's Access); "" any valid token
	rule  routeRule // what its function checks
	ok    int       // the answer when allowed
	// body is the request body for target tg (nil: none); unique makes a
	// name no other cell uses.
	body func(tg matrixTarget, unique func(string) string) any
}

// idsBody names the target alone in a bulk request.
func idsBody(tg matrixTarget, _ func(string) string) any {
	return map[string]any{"ids": []string{tg.id}}
}

// credential is one row of the credential table (see matrixCredentials).
type credential struct {
	name   string
	token  string // "" sends no Authorization header
	valid  bool
	id     string // its token id, when it has a real one
	owner  string // whom its own targets belong to
	scopes []string
}

// targetKind is a target token relative to the caller.
type targetKind int

const (
	targetFewer targetKind = iota // own, the caller's scopes minus its tokens:* ones
	targetEqual                   // own, the caller's scopes
	targetMore                    // own, the caller's scopes and orders:write
	targetOther                   // owner bob, the caller's scopes
)

var targetKinds = []targetKind{targetFewer, targetEqual, targetMore, targetOther}

func (k targetKind) String() string { return [...]string{"fewer", "equal", "more", "other"}[k] }

// matrixTarget is the token a cell acts on.
type matrixTarget struct {
	kind   targetKind
	id     string
	owner  string
	scopes []string
}

// outcome is what a cell must answer.
type outcome struct {
	status  int
	gateway bool // API Gateway's own {"message"} answer, not the function's
	result  int  // POST /tokens/revoke: the one result's status
}

// effectiveScopes is a scope set with tokens:admin's implied scopes added.
func effectiveScopes(scopes []string) map[string]bool {
	eff := map[string]bool{}
	for _, s := range scopes {
		eff[s] = true
	}
	if eff["tokens:admin"] {
		eff["tokens:read"], eff["tokens:write"] = true, true
	}
	return eff
}

func targetScopes(c credential, k targetKind) []string {
	switch k {
	case targetFewer:
		var out []string
		for _, s := range c.scopes {
			if !strings.HasPrefix(s, "tokens:") {
				out = append(out, s)
			}
		}
		return out
	case targetMore:
		return append(slices.Clone(c.scopes), "orders:write")
	}
	return slices.Clone(c.scopes)
}

func targetOwner(c credential, k targetKind) string {
	if k == targetOther {
		return "bob"
	}
	return c.owner
}

// oracle computes a cell's outcome from the rules alone.
func oracle(r matrixRoute, c credential, k targetKind) outcome {
	if r.rule == rulePublic { // the contract: whoever asks, whatever they send
		return outcome{status: r.ok}
	}
	if c.token == "" {
		return outcome{status: http.StatusUnauthorized, gateway: true}
	}
	if !c.valid {
		return outcome{status: refusedByAuthorizer, gateway: true}
	}
	eff := effectiveScopes(c.scopes)
	if r.scope != "" && !eff[r.scope] {
		return outcome{status: http.StatusForbidden, gateway: true}
	}
	admin := eff["tokens:admin"]
	own := k != targetOther
	covers := admin
	if !covers {
		covers = true
		for _, s := range targetScopes(c, k) {
			covers = covers && eff[s]
		}
	}
	// change is the rule for acting on an existing token: another owner's
	// is not found, an own one needs cover; admins may do anything.
	change := func(ok int) int {
		switch {
		case admin:
			return ok
		case !own:
			return http.StatusNotFound
		case !covers:
			return http.StatusForbidden
		}
		return ok
	}
	switch r.rule {
	case ruleRead:
		if !own && !admin {
			return outcome{status: http.StatusNotFound}
		}
	case ruleList:
		if !own && !admin {
			return outcome{status: http.StatusForbidden}
		}
	case ruleChange:
		return outcome{status: change(r.ok)}
	case ruleBulk:
		return outcome{status: r.ok, result: change(http.StatusOK)}
	case ruleIssue:
		if !admin && (!own || !covers) {
			return outcome{status: http.StatusForbidden}
		}
	case ruleOwnerStatus, ruleOwnerAdmin, ruleWhoAmI:
	}
	return outcome{status: r.ok}
}

// TestRouteCredentialTargetMatrix sends every template route with every
// kind of credential at every kind of target, through the local API Gateway
// and the production-wired functions, and holds each answer to the outcome
// oracle derives from the rules (docs/api.md, scopes.json).
func TestRouteCredentialTargetMatrix(t *testing.T) {
	t.Parallel()
	start := time.Now()
	// No validate cache: a revoke, deactivate or owner disable bites at once.
	m := &matrix{s: newLocalStack(t, stackOptions{env: map[string]string{"VALIDATE_CACHE_TTL": "0"}})}
	rows := matrixRoutes(t, api.Table())
	routes := matrixRouteKeys(t, rows)
	checkMatrixScopes(t, rows)

	creds, spoil := m.credentials(t)
	// Shared targets are made before spoil disables owner "gone", since a
	// disabled owner gets no new tokens.
	shared := m.sharedTargets(t, creds)
	spoil()
	setup := time.Since(start)

	cells := planCells(routes, rows, creds)
	failed := m.run(t, cells, shared)

	perStatus := map[int]int{}
	perResult := map[int]int{}
	for _, c := range cells {
		perStatus[c.want.status]++
		if c.rule.rule == ruleBulk && c.want.status == http.StatusOK {
			perResult[c.want.result]++
		}
	}
	var counts []string
	for _, code := range slices.Sorted(maps.Keys(perStatus)) {
		counts = append(counts, fmt.Sprintf("%d=%d", code, perStatus[code]))
	}
	var results []string
	for _, code := range slices.Sorted(maps.Keys(perResult)) {
		results = append(results, fmt.Sprintf("%d=%d", code, perResult[code]))
	}
	t.Logf("%d routes × %d credentials × %d targets = %d cells; expected statuses %s; POST /tokens/revoke result statuses %s; %d cells disagreed; setup %s, total %s",
		len(routes), len(creds), len(targetKinds), len(cells), strings.Join(counts, " "), strings.Join(results, " "),
		failed, setup.Round(time.Millisecond), time.Since(start).Round(time.Millisecond))
	t.Logf("matrix: %d cells %s failed=%d", len(cells), strings.Join(counts, " "), failed)
}

// matrixRouteKeys is KeymintApi's routes from template.yaml, sorted; each
// must have a row in rows and each row a route.
func matrixRouteKeys(t *testing.T, rows map[string]matrixRoute) []string {
	t.Helper()
	var routes []string
	for _, r := range loadTemplate(t).APIs["KeymintApi"].Routes {
		key := r.Method + " " + r.Path
		if _, ok := rows[key]; !ok {
			t.Fatalf("template route %s has no rule in the oracle", key)
		}
		routes = append(routes, key)
	}
	if len(routes) != len(rows) {
		t.Fatalf("template has %d routes, the oracle knows %d: %v", len(routes), len(rows), routes)
	}
	slices.Sort(routes)
	return routes
}

// checkMatrixScopes holds the oracle's route scopes (the route table's
// Access) against shared/policy/scopes.json, so they cannot drift apart.
func checkMatrixScopes(t *testing.T, rows map[string]matrixRoute) {
	t.Helper()
	want := map[string]string{}
	for key, r := range rows {
		if r.rule != rulePublic { // no authorizer: no scope opens it
			want[key] = r.scope
		}
	}
	checkOracleScopes(t, want)
}

// matrix is the stack the cells run on, and the source of unique names.
type matrix struct {
	s   *localStack
	seq atomic.Int64
}

// unique is a name no other token of the run has.
func (m *matrix) unique(prefix string) string { return fmt.Sprintf("%s-%d", prefix, m.seq.Add(1)) }

// issue issues a token for owner by direct invoke, failing t if it cannot.
func (m *matrix) issue(t *testing.T, owner string, scopes []string) (id, tok string) {
	t.Helper()
	id, tok, err := issueByInvoke(m.s, owner, m.unique("cred"), scopes)
	if err != nil {
		t.Fatal(err)
	}
	return id, tok
}

// credentials is the credential table: every kind of credential the matrix
// sends, by name. Those that must be refused are issued valid; spoil puts
// them in their states (revoked, expired, inactive, owner disabled) and
// records the valid ones' first use, so no cell sees it happen.
func (m *matrix) credentials(t *testing.T) (creds []credential, spoil func()) {
	t.Helper()
	readID, readTok := m.issue(t, "alice", readScopes)
	writeID, writeTok := m.issue(t, "alice", writeScopes)
	adminID, adminTok := m.issue(t, "alice", adminScopes)
	revokedID, revokedTok := m.issue(t, "alice", writeScopes)
	expiredID, expiredTok := m.issue(t, "alice", writeScopes)
	inactiveID, inactiveTok := m.issue(t, "alice", writeScopes)
	goneID, goneTok := m.issue(t, "gone", writeScopes)
	unknown, err := token.Generate("kmt")
	if err != nil {
		t.Fatal(err)
	}
	otherSecret, err := token.Generate("kmt")
	if err != nil {
		t.Fatal(err)
	}
	last := writeTok[len(writeTok)-1]
	badCheck := writeTok[:len(writeTok)-1] + map[bool]string{true: "B", false: "A"}[last == 'A']
	creds = []credential{
		{name: "none"},
		{name: "malformed", token: "kmt_not-a-token"},
		{name: "bad-checksum", token: badCheck, id: writeID},
		{name: "unknown", token: unknown.String(), id: unknown.ID},
		{name: "bad-secret", token: token.Token{Prefix: "kmt", ID: writeID, Secret: otherSecret.Secret}.String(), id: writeID},
		{name: "revoked", token: revokedTok, id: revokedID},
		{name: "expired", token: expiredTok, id: expiredID},
		{name: "inactive", token: inactiveTok, id: inactiveID},
		{name: "owner-disabled", token: goneTok, id: goneID, owner: "gone"},
		{name: "read", token: readTok, id: readID, valid: true, scopes: readScopes},
		{name: "write", token: writeTok, id: writeID, valid: true, scopes: writeScopes},
		{name: "admin", token: adminTok, id: adminID, valid: true, scopes: adminScopes},
	}
	for i := range creds {
		if creds[i].owner == "" {
			creds[i].owner = "alice"
		}
		if creds[i].scopes == nil {
			creds[i].scopes = writeScopes
		}
	}
	spoil = func() {
		t.Helper()
		m.admin(t, "DELETE", "/tokens/"+revokedID, nil)
		m.admin(t, "POST", "/tokens/"+inactiveID+"/deactivate", nil)
		if _, err := m.s.db.UpdateItem(context.Background(), &dynamodb.UpdateItemInput{
			TableName: aws.String(m.s.table), Key: tokenItemKey(expiredID),
			UpdateExpression:          aws.String("SET expiresAt = :past"),
			ConditionExpression:       aws.String("attribute_exists(PK)"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":past": &types.AttributeValueMemberN{Value: strconv.FormatInt(time.Now().Add(-time.Minute).Unix(), 10)}},
		}); err != nil {
			t.Fatalf("age the expired credential: %v", err)
		}
		m.admin(t, "PUT", "/owners/gone/status", map[string]any{"status": "disabled"})
		for _, c := range creds {
			if !c.valid {
				continue
			}
			if r := m.s.do("GET", "/whoami", c.token, nil, nil); r.status != 200 {
				t.Fatalf("setup: %s credential refused: %d %s", c.name, r.status, r.body)
			}
		}
	}
	return creds, spoil
}

// admin is a setup request with the stack's admin token; it must succeed.
func (m *matrix) admin(t *testing.T, method, path string, body any) {
	t.Helper()
	if r := m.s.do(method, path, m.s.admin, body, nil); r.status != 200 {
		t.Fatalf("setup %s %s: %d %s", method, path, r.status, r.body)
	}
}

// newTarget issues a target of kind k for credential c.
func (m *matrix) newTarget(c credential, k targetKind) (matrixTarget, error) {
	tg := matrixTarget{kind: k, owner: targetOwner(c, k), scopes: targetScopes(c, k)}
	id, _, err := issueByInvoke(m.s, tg.owner, m.unique("tgt"), tg.scopes)
	tg.id = id
	return tg, err
}

// sharedTargets makes, per credential and kind, the target of the cells
// that cannot change it: every cell of an invalid credential, and reads,
// lists, issues, owner status and whoami of the valid ones.
func (m *matrix) sharedTargets(t *testing.T, creds []credential) map[string][]matrixTarget {
	t.Helper()
	shared := map[string][]matrixTarget{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	var setupErr error
	for _, c := range creds {
		shared[c.name] = make([]matrixTarget, len(targetKinds))
		for _, k := range targetKinds {
			wg.Go(func() {
				tg, err := m.newTarget(c, k)
				mu.Lock()
				defer mu.Unlock()
				shared[c.name][k] = tg
				if err != nil {
					setupErr = err
				}
			})
		}
	}
	wg.Wait()
	if setupErr != nil {
		t.Fatal(setupErr)
	}
	return shared
}

// cell is one request of the matrix and its expected outcome.
type cell struct {
	route string
	rule  matrixRoute
	cred  credential
	kind  targetKind
	want  outcome
	fresh bool // a target of its own: the cell may change it
}

// planCells is every route × credential × target kind, in that order.
func planCells(routes []string, rows map[string]matrixRoute, creds []credential) []cell {
	var cells []cell
	for _, key := range routes {
		rule := rows[key]
		for _, c := range creds {
			for _, k := range targetKinds {
				fresh := c.valid && rule.rule.changes()
				cells = append(cells, cell{route: key, rule: rule, cred: c, kind: k, want: oracle(rule, c, k), fresh: fresh})
			}
		}
	}
	return cells
}

// run runs every cell as a parallel subtest and counts those that
// disagreed with the oracle.
func (m *matrix) run(t *testing.T, cells []cell, shared map[string][]matrixTarget) int64 {
	var failed atomic.Int64
	t.Run("cells", func(t *testing.T) {
		for _, c := range cells {
			t.Run(strings.ReplaceAll(c.route, " ", "_")+"/"+c.cred.name+"/"+c.kind.String(), func(t *testing.T) {
				t.Parallel()
				tg := shared[c.cred.name][c.kind]
				if c.fresh {
					var err error
					if tg, err = m.newTarget(c.cred, c.kind); err != nil {
						t.Fatal(err)
					}
				}
				if !m.runCell(t, c, tg) {
					failed.Add(1)
				}
			})
		}
	})
	return failed.Load()
}

// runCell sends one cell's request and checks the answer; it reports
// whether the cell agreed with the oracle.
func (m *matrix) runCell(t *testing.T, c cell, tg matrixTarget) bool {
	cs := *m.s
	cs.t = t // s.do fails the cell's own test
	method, path, _ := strings.Cut(c.route, " ")
	path = strings.NewReplacer("{id}", tg.id, "{ip}", blockedIP, "{owner}", tg.owner, "{file}", "config.json").Replace(path)
	if c.route == "GET /tokens" && tg.kind == targetOther {
		path += "?owner=" + tg.owner
	}
	var body any
	if c.rule.body != nil {
		body = c.rule.body(tg, m.unique)
	}
	refused := c.want.status != c.rule.ok || (c.rule.rule == ruleBulk && c.want.result != http.StatusOK)
	before := ""
	if c.rule.rule.changes() && refused {
		before = tokenVersion(t, m.s, tg.id)
	}

	r := cs.do(method, path, c.cred.token, body, nil)
	where := fmt.Sprintf("%s %s as %s on %s (%s %v)", method, path, c.cred.name, tg.kind, tg.owner, tg.scopes)
	ok := true
	errorf := func(format string, args ...any) {
		t.Helper()
		ok = false
		t.Errorf("%s: "+format, append([]any{where}, args...)...)
	}
	if r.status == c.want.status {
		checkAnswer(r, c, tg, errorf)
	} else {
		errorf("answered %d, the rules say %d: %s", r.status, c.want.status, r.body)
	}
	if before != "" {
		if after := tokenVersion(t, m.s, tg.id); after != before {
			errorf("should have been refused, yet the target's version moved %s → %s", before, after)
		}
	}
	return ok
}

// checkAnswer checks an answer whose status is the expected one: who
// answered (the gateway or the function), its media type, and for the
// allowed answers the parts that name the target.
func checkAnswer(r reply, c cell, tg matrixTarget, errorf func(string, ...any)) {
	ct, _, _ := mime.ParseMediaType(r.header.Get("Content-Type"))
	if c.route == "GET /" {
		// The console's page: HTML under its content security policy,
		// whoever asks.
		if ct != "text/html" || !strings.Contains(r.header.Get("Content-Security-Policy"), "default-src 'none'") {
			errorf("the console page should be text/html with its CSP, got %s %q", ct, r.header.Get("Content-Security-Policy"))
		}
		return
	}
	var v map[string]any
	if err := json.Unmarshal(r.body, &v); err != nil {
		errorf("%d with a body that is not a JSON object: %s", r.status, r.body)
		return
	}
	w := c.want
	switch {
	case w.gateway:
		if ct != "application/json" || len(v) != 1 || v["message"] != http.StatusText(w.status) {
			errorf("gateway %d should be application/json {\"message\":%q}, got %s %s", w.status, http.StatusText(w.status), ct, r.body)
		}
	case r.status >= 400:
		if ct != "application/problem+json" || v["status"] != float64(r.status) {
			errorf("function %d should be application/problem+json with that status, got %s %s", r.status, ct, r.body)
		}
	default:
		if ct != "application/json" {
			errorf("%d with Content-Type %q", r.status, ct)
		}
		switch c.rule.rule {
		case ruleBulk:
			res, _ := v["results"].([]any)
			var one map[string]any
			if len(res) == 1 {
				one, _ = res[0].(map[string]any)
			}
			if one == nil || one["id"] != tg.id || one["status"] != float64(w.result) {
				errorf("results should be [{id: %s, status: %d}], got %s", tg.id, w.result, r.body)
			}
		case ruleRead:
			if c.route == "GET /tokens/{id}" && v["id"] != tg.id {
				errorf("answered token %v", v["id"])
			}
		case ruleIssue:
			if v["owner"] != tg.owner || v["token"] == nil {
				errorf("issued %v for owner %v, want a token for %s", v["id"], v["owner"], tg.owner)
			}
		case ruleList:
			items, _ := v["items"].([]any)
			for _, it := range items {
				if m, _ := it.(map[string]any); m["owner"] != tg.owner {
					errorf("listed a token of %v", m["owner"])
					break
				}
			}
		case ruleWhoAmI:
			if c.route == "GET /whoami" && v["tokenId"] != c.cred.id {
				errorf("whoami says %v", v["tokenId"])
			}
		}
	}
}

// issueByInvoke issues by the IssueFunction's direct invoke, as ops
// should (invokeIssue); unlike opsIssue it may run on any goroutine.
func issueByInvoke(s *localStack, owner, name string, scopes []string) (id, tok string, err error) {
	v, err := s.invokeIssue(map[string]any{"owner": owner, "name": name, "scopes": scopes})
	if err != nil {
		return "", "", fmt.Errorf("ops issue %s/%s: %w", owner, name, err)
	}
	id, _ = v["id"].(string)
	tok, _ = v["token"].(string)
	if id == "" || tok == "" {
		return "", "", fmt.Errorf("ops issue %s/%s: %v", owner, name, v)
	}
	return id, tok, nil
}

// tokenItemKey is the table key of token id's item.
func tokenItemKey(id string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		"PK": &types.AttributeValueMemberS{Value: "TOKEN#" + id},
		"SK": &types.AttributeValueMemberS{Value: "META"},
	}
}

// tokenVersion reads a token item's version with a consistent read.
func tokenVersion(t *testing.T, s *localStack, id string) string {
	t.Helper()
	out, err := s.db.GetItem(context.Background(), &dynamodb.GetItemInput{
		TableName: aws.String(s.table), Key: tokenItemKey(id), ConsistentRead: aws.Bool(true),
		ProjectionExpression: aws.String("version"),
	})
	if err != nil {
		t.Fatalf("read version of %s: %v", id, err)
	}
	v, ok := out.Item["version"].(*types.AttributeValueMemberN)
	if !ok {
		t.Fatalf("token %s: no version attribute (%v)", id, out.Item)
	}
	return v.Value
}
