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
	"github.com/keymint/keymint/infra/localrt"
	"github.com/keymint/keymint/shared/token"
)

// mxRefused is API Gateway's answer when the authorizer refuses a credential
// (malformed, bad checksum, unknown, bad secret, revoked, expired, inactive,
// owner disabled). An HTTP API answers `isAuthorized: false` with 403; only a
// missing identity source is 401, before the authorizer runs. The gateway's
// message follows the status.
const mxRefused = http.StatusForbidden

// mxIP fills {ip} in the blocked-ips routes.
const mxIP = "192.0.2.7"

// The callers' scope sets. The nine invalid credentials carry mxWriteScopes,
// so only their state can fail them.
var (
	mxReadScopes  = []string{"tokens:read", "orders:read"}
	mxWriteScopes = []string{"tokens:read", "tokens:write", "orders:read"}
	mxAdminScopes = []string{"tokens:admin", "orders:read"}
)

// mxTargetKind is a target token relative to the caller.
type mxTargetKind int

const (
	mxFewer mxTargetKind = iota // own, the caller's scopes minus its tokens:* ones
	mxEqual                     // own, the caller's scopes
	mxMore                      // own, the caller's scopes and orders:write
	mxOther                     // owner bob, the caller's scopes
)

var mxTargetKinds = []mxTargetKind{mxFewer, mxEqual, mxMore, mxOther}

func (k mxTargetKind) String() string { return [...]string{"fewer", "equal", "more", "other"}[k] }

// mxAction is the function rule a route follows once the gateway let it in.
type mxAction int

const (
	mxRead        mxAction = iota // GET /tokens/{id}, /usage, /audit
	mxList                        // GET /tokens
	mxChange                      // any change to an existing token
	mxIssue                       // POST /tokens
	mxBulk                        // POST /tokens/revoke, /deactivate, /activate
	mxOwnerStatus                 // PUT /owners/{owner}/status
	mxWhoAmI                      // GET /whoami
	mxPublic                      // GET /openapi.json: no authorizer at all
	mxOwnerAudit                  // GET /owners/{owner}/audit, GET /owners, GET /owners/{owner}, PATCH /owners/{owner}
)

type mxRoute struct {
	scope  string // the scope that opens it; "" any valid token
	action mxAction
	ok     int // the answer when allowed
}

// mxRoutes is the oracle's view of every route template.yaml declares: the
// scope scopes.json opens it with, and the rule its function applies.
var mxRoutes = map[string]mxRoute{
	"GET /tokens":                          {"tokens:read", mxList, 200},
	"GET /tokens/{id}":                     {"tokens:read", mxRead, 200},
	"GET /tokens/{id}/usage":               {"tokens:read", mxRead, 200},
	"GET /tokens/{id}/audit":               {"tokens:read", mxRead, 200},
	"GET /whoami":                          {"", mxWhoAmI, 200},
	"POST /tokens":                         {"tokens:write", mxIssue, 201},
	"PATCH /tokens/{id}":                   {"tokens:write", mxChange, 200},
	"POST /tokens/{id}/regenerate":         {"tokens:write", mxChange, 200},
	"POST /tokens/{id}/copy":               {"tokens:write", mxChange, 201},
	"POST /tokens/{id}/deactivate":         {"tokens:write", mxChange, 200},
	"POST /tokens/{id}/activate":           {"tokens:write", mxChange, 200},
	"DELETE /tokens/{id}":                  {"tokens:write", mxChange, 200},
	"POST /tokens/revoke":                  {"tokens:write", mxBulk, 200},
	"PUT /tokens/{id}/blocked-ips/{ip}":    {"tokens:write", mxChange, 200},
	"DELETE /tokens/{id}/blocked-ips/{ip}": {"tokens:write", mxChange, 200},
	"PUT /owners/{owner}/status":           {"tokens:admin", mxOwnerStatus, 200},
	"GET /openapi.json":                    {"", mxPublic, 200},
	"GET /owners/{owner}/audit":            {"tokens:admin", mxOwnerAudit, 200},
	"GET /owners":                          {"tokens:admin", mxOwnerAudit, 200},
	"GET /owners/{owner}":                  {"tokens:admin", mxOwnerAudit, 200},
	"PATCH /owners/{owner}":                {"tokens:admin", mxOwnerAudit, 200},
	"POST /tokens/deactivate":              {"tokens:write", mxBulk, 200},
	"POST /tokens/activate":                {"tokens:write", mxBulk, 200},
	"GET /scopes":                          {"", mxWhoAmI, 200},
	"GET /":                                {"", mxPublic, 200},
	"GET /console/{file}":                  {"", mxPublic, 200},
}

// mxCred is one credential of the matrix.
type mxCred struct {
	name   string
	token  string // "" sends no Authorization header
	valid  bool
	id     string // its token id, when it has a real one
	owner  string // whom its own targets belong to
	scopes []string
}

type mxTarget struct {
	kind   mxTargetKind
	id     string
	owner  string
	scopes []string
}

// mxWant is an expected outcome.
type mxWant struct {
	status  int
	gateway bool // API Gateway's own {"message"} answer, not the function's
	result  int  // POST /tokens/revoke: the one result's status
}

// mxEffective is a scope set with tokens:admin's implied scopes added.
func mxEffective(scopes []string) map[string]bool {
	eff := map[string]bool{}
	for _, s := range scopes {
		eff[s] = true
	}
	if eff["tokens:admin"] {
		eff["tokens:read"], eff["tokens:write"] = true, true
	}
	return eff
}

func mxTargetScopes(c mxCred, k mxTargetKind) []string {
	switch k {
	case mxFewer:
		var out []string
		for _, s := range c.scopes {
			if !strings.HasPrefix(s, "tokens:") {
				out = append(out, s)
			}
		}
		return out
	case mxMore:
		return append(slices.Clone(c.scopes), "orders:write")
	}
	return slices.Clone(c.scopes)
}

func mxTargetOwner(c mxCred, k mxTargetKind) string {
	if k == mxOther {
		return "bob"
	}
	return c.owner
}

// mxOracle computes a cell's outcome from the rules alone.
func mxOracle(r mxRoute, c mxCred, k mxTargetKind) mxWant {
	if r.action == mxPublic { // the contract: whoever asks, whatever they send
		return mxWant{status: r.ok}
	}
	if c.token == "" {
		return mxWant{status: http.StatusUnauthorized, gateway: true}
	}
	if !c.valid {
		return mxWant{status: mxRefused, gateway: true}
	}
	eff := mxEffective(c.scopes)
	if r.scope != "" && !eff[r.scope] {
		return mxWant{status: http.StatusForbidden, gateway: true}
	}
	admin := eff["tokens:admin"]
	own := k != mxOther
	covers := admin
	if !covers {
		covers = true
		for _, s := range mxTargetScopes(c, k) {
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
	switch r.action {
	case mxRead:
		if !own && !admin {
			return mxWant{status: http.StatusNotFound}
		}
	case mxList:
		if !own && !admin {
			return mxWant{status: http.StatusForbidden}
		}
	case mxChange:
		return mxWant{status: change(r.ok)}
	case mxBulk:
		return mxWant{status: r.ok, result: change(http.StatusOK)}
	case mxIssue:
		if !admin && (!own || !covers) {
			return mxWant{status: http.StatusForbidden}
		}
	case mxOwnerStatus, mxOwnerAudit, mxWhoAmI:
	}
	return mxWant{status: r.ok}
}

// mxCheckScopesFile holds the oracle's route scopes against
// shared/policy/scopes.json, so the table above cannot drift from it.
func mxCheckScopesFile(t *testing.T) {
	t.Helper()
	want := map[string]string{}
	for key, r := range mxRoutes {
		if r.action != mxPublic { // no authorizer: no scope opens it
			want[key] = r.scope
		}
	}
	checkOracleScopes(t, want)
}

// mxIssueToken issues by the IssueFunction's direct invoke; unlike
// opsIssue it may run on any goroutine.
func mxIssueToken(s *localStack, owner, name string, scopes []string) (id, tok string, err error) {
	raw, _ := json.Marshal(map[string]any{"owner": owner, "name": name, "scopes": scopes})
	out, err := localrt.Invoke(context.Background(), s.fns["IssueFunction"], raw)
	if err != nil {
		return "", "", fmt.Errorf("ops issue %s/%s: %w", owner, name, err)
	}
	var v struct {
		ID    string `json:"id"`
		Token string `json:"token"`
	}
	if err := json.Unmarshal(out, &v); err != nil || v.ID == "" || v.Token == "" {
		return "", "", fmt.Errorf("ops issue %s/%s: %s", owner, name, out)
	}
	return v.ID, v.Token, nil
}

func mxKey(id string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		"PK": &types.AttributeValueMemberS{Value: "TOKEN#" + id},
		"SK": &types.AttributeValueMemberS{Value: "META"},
	}
}

// mxVersion reads a token item's version with a consistent read.
func mxVersion(t *testing.T, s *localStack, id string) string {
	t.Helper()
	out, err := s.db.GetItem(context.Background(), &dynamodb.GetItemInput{
		TableName: aws.String(s.table), Key: mxKey(id), ConsistentRead: aws.Bool(true),
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

// TestRouteCredentialTargetMatrix sends every template route with every
// kind of credential at every kind of target, through the local API Gateway
// and the production-wired functions, and holds each answer to the outcome
// mxOracle derives from the rules (docs/api.md, scopes.json).
func TestRouteCredentialTargetMatrix(t *testing.T) {
	t.Parallel()
	start := time.Now()
	// No validate cache: a revoke, deactivate or owner disable bites at once.
	s := newLocalStack(t, stackOptions{env: map[string]string{"VALIDATE_CACHE_TTL": "0"}})
	st := loadTemplate(t)
	var routes []string
	for _, r := range st.APIs["KeymintApi"].Routes {
		key := r.Method + " " + r.Path
		if _, ok := mxRoutes[key]; !ok {
			t.Fatalf("template route %s has no rule in the oracle", key)
		}
		routes = append(routes, key)
	}
	if len(routes) != len(mxRoutes) {
		t.Fatalf("template has %d routes, the oracle knows %d: %v", len(routes), len(mxRoutes), routes)
	}
	slices.Sort(routes)
	mxCheckScopesFile(t)

	var seq atomic.Int64
	name := func(p string) string { return fmt.Sprintf("%s-%d", p, seq.Add(1)) }
	issue := func(owner string, scopes []string) (id, tok string) {
		t.Helper()
		id, tok, err := mxIssueToken(s, owner, name("cred"), scopes)
		if err != nil {
			t.Fatal(err)
		}
		return id, tok
	}
	admin := func(method, path string, body any) {
		t.Helper()
		if r := s.do(method, path, s.admin, body, nil); r.status != 200 {
			t.Fatalf("setup %s %s: %d %s", method, path, r.status, r.body)
		}
	}

	// The credentials.
	readID, readTok := issue("alice", mxReadScopes)
	writeID, writeTok := issue("alice", mxWriteScopes)
	adminID, adminTok := issue("alice", mxAdminScopes)
	revokedID, revokedTok := issue("alice", mxWriteScopes)
	expiredID, expiredTok := issue("alice", mxWriteScopes)
	inactiveID, inactiveTok := issue("alice", mxWriteScopes)
	goneID, goneTok := issue("gone", mxWriteScopes)
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
	creds := []mxCred{
		{name: "none"},
		{name: "malformed", token: "kmt_not-a-token"},
		{name: "bad-checksum", token: badCheck, id: writeID},
		{name: "unknown", token: unknown.String(), id: unknown.ID},
		{name: "bad-secret", token: token.Token{Prefix: "kmt", ID: writeID, Secret: otherSecret.Secret}.String(), id: writeID},
		{name: "revoked", token: revokedTok, id: revokedID},
		{name: "expired", token: expiredTok, id: expiredID},
		{name: "inactive", token: inactiveTok, id: inactiveID},
		{name: "owner-disabled", token: goneTok, id: goneID, owner: "gone"},
		{name: "read", token: readTok, id: readID, valid: true, scopes: mxReadScopes},
		{name: "write", token: writeTok, id: writeID, valid: true, scopes: mxWriteScopes},
		{name: "admin", token: adminTok, id: adminID, valid: true, scopes: mxAdminScopes},
	}
	for i := range creds {
		if creds[i].owner == "" {
			creds[i].owner = "alice"
		}
		if creds[i].scopes == nil {
			creds[i].scopes = mxWriteScopes
		}
	}

	// Shared targets, for the cells that cannot change them: every cell of
	// an invalid credential, and reads, lists, issues, owner status and
	// whoami of the valid ones. Made before owner "gone" is disabled, since
	// a disabled owner gets no new tokens.
	newTarget := func(c mxCred, k mxTargetKind) (mxTarget, error) {
		tg := mxTarget{kind: k, owner: mxTargetOwner(c, k), scopes: mxTargetScopes(c, k)}
		id, _, err := mxIssueToken(s, tg.owner, name("tgt"), tg.scopes)
		tg.id = id
		return tg, err
	}
	shared := map[string][]mxTarget{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	var setupErr error
	for _, c := range creds {
		shared[c.name] = make([]mxTarget, len(mxTargetKinds))
		for _, k := range mxTargetKinds {
			wg.Go(func() {
				tg, err := newTarget(c, k)
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

	// Put the invalid credentials in their states.
	admin("DELETE", "/tokens/"+revokedID, nil)
	admin("POST", "/tokens/"+inactiveID+"/deactivate", nil)
	if _, err := s.db.UpdateItem(context.Background(), &dynamodb.UpdateItemInput{
		TableName: aws.String(s.table), Key: mxKey(expiredID),
		UpdateExpression:          aws.String("SET expiresAt = :past"),
		ConditionExpression:       aws.String("attribute_exists(PK)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":past": &types.AttributeValueMemberN{Value: strconv.FormatInt(time.Now().Add(-time.Minute).Unix(), 10)}},
	}); err != nil {
		t.Fatalf("age the expired credential: %v", err)
	}
	admin("PUT", "/owners/gone/status", map[string]any{"status": "disabled"})
	// Usage of the valid credentials is recorded now, not mid-cell.
	for _, c := range creds {
		if !c.valid {
			continue
		}
		if r := s.do("GET", "/whoami", c.token, nil, nil); r.status != 200 {
			t.Fatalf("setup: %s credential refused: %d %s", c.name, r.status, r.body)
		}
	}
	setup := time.Since(start)

	// The cells.
	type cell struct {
		route string
		rule  mxRoute
		cred  mxCred
		kind  mxTargetKind
		want  mxWant
		fresh bool // a target of its own: the cell may change it
	}
	var cells []cell
	perStatus := map[int]int{}
	perResult := map[int]int{}
	for _, key := range routes {
		rule := mxRoutes[key]
		for _, c := range creds {
			for _, k := range mxTargetKinds {
				w := mxOracle(rule, c, k)
				perStatus[w.status]++
				if rule.action == mxBulk && w.status == http.StatusOK {
					perResult[w.result]++
				}
				fresh := c.valid && (rule.action == mxChange || rule.action == mxBulk)
				cells = append(cells, cell{route: key, rule: rule, cred: c, kind: k, want: w, fresh: fresh})
			}
		}
	}
	var failed atomic.Int64
	t.Run("cells", func(t *testing.T) {
		for _, c := range cells {
			t.Run(strings.ReplaceAll(c.route, " ", "_")+"/"+c.cred.name+"/"+c.kind.String(), func(t *testing.T) {
				t.Parallel()
				tg := shared[c.cred.name][c.kind]
				if c.fresh {
					var err error
					if tg, err = newTarget(c.cred, c.kind); err != nil {
						t.Fatal(err)
					}
				}
				if !mxRunCell(t, s, c.route, c.rule, c.cred, tg, c.want, name) {
					failed.Add(1)
				}
			})
		}
	})

	var counts []string
	for _, code := range slices.Sorted(maps.Keys(perStatus)) {
		counts = append(counts, fmt.Sprintf("%d=%d", code, perStatus[code]))
	}
	var results []string
	for _, code := range slices.Sorted(maps.Keys(perResult)) {
		results = append(results, fmt.Sprintf("%d=%d", code, perResult[code]))
	}
	t.Logf("%d routes × %d credentials × %d targets = %d cells; expected statuses %s; POST /tokens/revoke result statuses %s; %d cells disagreed; setup %s, total %s",
		len(routes), len(creds), len(mxTargetKinds), len(cells), strings.Join(counts, " "), strings.Join(results, " "),
		failed.Load(), setup.Round(time.Millisecond), time.Since(start).Round(time.Millisecond))
	t.Logf("matrix: %d cells %s failed=%d", len(cells), strings.Join(counts, " "), failed.Load())
}

// mxRunCell sends one cell's request and checks the answer; it reports
// whether the cell agreed with the oracle.
func mxRunCell(t *testing.T, s *localStack, key string, rule mxRoute, c mxCred, tg mxTarget, w mxWant, name func(string) string) bool {
	cs := *s
	cs.t = t // s.do fails the cell's own test
	method, path, _ := strings.Cut(key, " ")
	path = strings.NewReplacer("{id}", tg.id, "{ip}", mxIP, "{owner}", tg.owner, "{file}", "config.json").Replace(path)
	if key == "GET /tokens" && tg.kind == mxOther {
		path += "?owner=" + tg.owner
	}
	var body any
	switch key {
	case "POST /tokens":
		body = map[string]any{"name": name("iss"), "scopes": tg.scopes, "owner": tg.owner}
	case "PATCH /tokens/{id}":
		body = map[string]any{"description": "m"}
	case "POST /tokens/{id}/regenerate":
		body = map[string]any{}
	case "POST /tokens/{id}/copy":
		body = map[string]any{"name": name("cp")}
	case "POST /tokens/revoke", "POST /tokens/deactivate", "POST /tokens/activate":
		body = map[string]any{"ids": []string{tg.id}}
	case "PATCH /owners/{owner}":
		// Setting what is already so: no cell's owner changes under another.
		body = map[string]any{"singleToken": false}
	case "PUT /owners/{owner}/status":
		body = map[string]any{"status": "active"}
	}
	changing := rule.action == mxChange || rule.action == mxBulk
	refused := w.status != rule.ok || (rule.action == mxBulk && w.result != http.StatusOK)
	before := ""
	if changing && refused {
		before = mxVersion(t, s, tg.id)
	}

	r := cs.do(method, path, c.token, body, nil)
	where := fmt.Sprintf("%s %s as %s on %s (%s %v)", method, path, c.name, tg.kind, tg.owner, tg.scopes)
	ok := true
	errorf := func(format string, args ...any) {
		t.Helper()
		ok = false
		t.Errorf("%s: "+format, append([]any{where}, args...)...)
	}
	if r.status == w.status {
		mxCheckBody(r, key, rule, c, tg, w, errorf)
	} else {
		errorf("answered %d, the rules say %d: %s", r.status, w.status, r.body)
	}
	if before != "" {
		if after := mxVersion(t, s, tg.id); after != before {
			errorf("should have been refused, yet the target's version moved %s → %s", before, after)
		}
	}
	return ok
}

// mxCheckBody checks an answer whose status is the expected one: who
// answered (the gateway or the function), its media type, and for the
// allowed answers the parts that name the target.
func mxCheckBody(r reply, key string, rule mxRoute, c mxCred, tg mxTarget, w mxWant, errorf func(string, ...any)) {
	ct, _, _ := mime.ParseMediaType(r.header.Get("Content-Type"))
	if key == "GET /" {
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
		switch rule.action {
		case mxBulk:
			res, _ := v["results"].([]any)
			var one map[string]any
			if len(res) == 1 {
				one, _ = res[0].(map[string]any)
			}
			if one == nil || one["id"] != tg.id || one["status"] != float64(w.result) {
				errorf("results should be [{id: %s, status: %d}], got %s", tg.id, w.result, r.body)
			}
		case mxRead:
			if key == "GET /tokens/{id}" && v["id"] != tg.id {
				errorf("answered token %v", v["id"])
			}
		case mxIssue:
			if v["owner"] != tg.owner || v["token"] == nil {
				errorf("issued %v for owner %v, want a token for %s", v["id"], v["owner"], tg.owner)
			}
		case mxList:
			items, _ := v["items"].([]any)
			for _, it := range items {
				if m, _ := it.(map[string]any); m["owner"] != tg.owner {
					errorf("listed a token of %v", m["owner"])
					break
				}
			}
		case mxWhoAmI:
			if key == "GET /whoami" && v["tokenId"] != c.id {
				errorf("whoami says %v", v["tokenId"])
			}
		}
	}
}
