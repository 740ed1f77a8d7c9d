package validate_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/keymint/keymint/internal/testkit"
	"github.com/keymint/keymint/shared/app/validatefn"
	"github.com/keymint/keymint/shared/keyring"
	"github.com/keymint/keymint/shared/manage"
	"github.com/keymint/keymint/shared/store"
	"github.com/keymint/keymint/shared/token"
	"github.com/keymint/keymint/shared/validate"
)

type fixture struct {
	*testkit.App
	svc *manage.Service
	h   lambda.Handler
}

func newFixture(t *testing.T, env testkit.Env) *fixture {
	t.Helper()
	if env == nil {
		env = testkit.Env{}
	}
	if _, ok := env["SCOPES_FILE"]; !ok {
		env["SCOPES_FILE"] = "testdata/scopes.json"
	}
	a := testkit.NewApp(t, env)
	return &fixture{App: a, svc: a.Service(), h: validatefn.Lambda(a.App)}
}

var ops = manage.Caller{Ops: true, Owner: "ops"}

func (f *fixture) issue(t *testing.T, req manage.IssueRequest) *manage.Issued {
	t.Helper()
	if req.Owner == "" {
		req.Owner = "alice"
	}
	if len(req.Scopes) == 0 {
		req.Scopes = []string{"sample:call", "tokens:read"}
	}
	out, err := f.svc.Issue(context.Background(), ops, req)
	if err != nil {
		t.Fatalf("issue: %v", err)
	}
	return out
}

func (f *fixture) direct(t *testing.T, req validate.DirectRequest) validate.DirectResponse {
	t.Helper()
	raw, _ := json.Marshal(req)
	out, err := invoke[validate.DirectResponse](t, f.h, raw)
	if err != nil {
		t.Fatalf("direct: %v", err)
	}
	return out
}

// sample loads one of AWS's sample authorizer events with the token put in
// place of its placeholder.
func sample(t testing.TB, name, tok string) json.RawMessage {
	t.Helper()
	raw, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return json.RawMessage(strings.ReplaceAll(string(raw), "incoming-client-token", "Bearer "+tok))
}

func TestAWSSampleEventsWithARealToken(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	tok := f.issue(t, manage.IssueRequest{Name: "sample"})
	for _, name := range []string{"rest-token.json", "rest-request.json"} {
		t.Run(name, func(t *testing.T) {
			resp, err := invoke[events.APIGatewayCustomAuthorizerResponse](t, f.h, sample(t, name, tok.Plaintext))
			if err != nil {
				t.Fatal(err)
			}
			if resp.PrincipalID != "alice" || resp.Context["tokenId"] != tok.Token.ID || resp.Context["scopes"] != "sample:call tokens:read" {
				t.Fatalf("principal %q context %v", resp.PrincipalID, resp.Context)
			}
			st := resp.PolicyDocument.Statement
			if len(st) != 1 || st[0].Effect != "Allow" {
				t.Fatalf("policy %+v", resp.PolicyDocument)
			}
			// The Allow names exactly the methodArn asked about, never the
			// token's other routes (issue 23: IAM's "*" spans "/").
			var ev struct{ MethodArn string }
			if err := json.Unmarshal(sample(t, name, tok.Plaintext), &ev); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(st[0].Resource, []string{ev.MethodArn}) {
				t.Errorf("policy resources %q, want exactly [%s]", st[0].Resource, ev.MethodArn)
			}
			for _, v := range resp.Context {
				switch v.(type) {
				case string, bool, float64, int, int64:
				default:
					t.Errorf("context value %v (%T) is not a REST-safe scalar", v, v)
				}
			}
		})
	}
	t.Run("http-v2.json", func(t *testing.T) {
		resp, err := invoke[events.APIGatewayV2CustomAuthorizerSimpleResponse](t, f.h, sample(t, "http-v2.json", tok.Plaintext))
		if err != nil {
			t.Fatal(err)
		}
		if !resp.IsAuthorized || resp.Context["owner"] != "alice" || resp.Context["tokenId"] != tok.Token.ID {
			t.Fatalf("response %+v", resp)
		}
	})
	bad := tamper(tok.Plaintext)
	// REST: the "Unauthorized" error, which API Gateway answers with 401.
	for _, name := range []string{"rest-token.json", "rest-request.json"} {
		t.Run(name+" bad token", func(t *testing.T) {
			_, err := invoke[any](t, f.h, sample(t, name, bad))
			if !errors.Is(err, validate.ErrUnauthorized) || err.Error() != "Unauthorized" {
				t.Fatalf("err = %v, want Unauthorized", err)
			}
		})
	}
	// HTTP API: AWS documents no 401 from the authorizer's answer; a denial
	// is isAuthorized false (403), and an error would be a 500.
	t.Run("http-v2.json bad token", func(t *testing.T) {
		resp, err := invoke[events.APIGatewayV2CustomAuthorizerSimpleResponse](t, f.h, sample(t, "http-v2.json", bad))
		if err != nil {
			t.Fatalf("err = %v, want an answer", err)
		}
		if resp.IsAuthorized || resp.Context != nil {
			t.Fatalf("response %+v, want isAuthorized false and no context", resp)
		}
	})
}

func TestHTTPIAMResponse(t *testing.T) {
	t.Parallel()
	f := newFixture(t, testkit.Env{"AUTHORIZER_RESPONSE": "iam"})
	tok := f.issue(t, manage.IssueRequest{Name: "sample"})
	resp, err := invoke[events.APIGatewayV2CustomAuthorizerIAMPolicyResponse](t, f.h, sample(t, "http-v2.json", tok.Plaintext))
	if err != nil {
		t.Fatal(err)
	}
	if resp.PrincipalID != "alice" || resp.PolicyDocument.Statement[0].Effect != "Allow" {
		t.Fatalf("response %+v", resp)
	}
}

func TestDirectInvokeReasons(t *testing.T) {
	t.Parallel()
	f := newFixture(t, testkit.Env{"VALIDATE_CACHE_TTL": "0"})
	ctx := context.Background()
	good := f.issue(t, manage.IssueRequest{Name: "good"})
	cidr := f.issue(t, manage.IssueRequest{Name: "cidr", AllowedCIDRs: []string{"10.0.0.0/8", "2001:db8::/32"}})
	revoked := f.issue(t, manage.IssueRequest{Name: "revoked"})
	if _, err := f.svc.Revoke(ctx, ops, revoked.Token.ID); err != nil {
		t.Fatal(err)
	}
	inactive := f.issue(t, manage.IssueRequest{Name: "inactive"})
	if _, err := f.svc.Deactivate(ctx, ops, inactive.Token.ID); err != nil {
		t.Fatal(err)
	}
	blocked := f.issue(t, manage.IssueRequest{Name: "blocked"})
	if _, err := f.svc.BlockIP(ctx, ops, blocked.Token.ID, "192.0.2.9"); err != nil {
		t.Fatal(err)
	}
	disabled := f.issue(t, manage.IssueRequest{Name: "d", Owner: "mallory"})
	if _, err := f.svc.SetOwnerStatus(ctx, ops, "mallory", store.OwnerDisabled, time.Time{}); err != nil {
		t.Fatal(err)
	}
	parsed, err := token.Parse(good.Plaintext, "kmt")
	if err != nil {
		t.Fatal(err)
	}
	unknown := token.Token{Prefix: "kmt", ID: strings.Repeat("Q", 16), Secret: parsed.Secret}.String()
	wrongSecret := token.Token{Prefix: "kmt", ID: parsed.ID, Secret: strings.Repeat("B", 32)}.String()

	cases := []struct {
		name string
		req  validate.DirectRequest
		want validate.Status
	}{
		{"valid", validate.DirectRequest{Token: good.Plaintext, Route: "GET /whoami"}, validate.Valid},
		{"valid without route", validate.DirectRequest{Token: good.Plaintext}, validate.Valid},
		{"malformed", validate.DirectRequest{Token: "kmt_short"}, validate.Malformed},
		{"unknown id", validate.DirectRequest{Token: unknown}, validate.NotFound},
		{"bad secret", validate.DirectRequest{Token: wrongSecret}, validate.BadSecret},
		{"revoked", validate.DirectRequest{Token: revoked.Plaintext}, validate.Revoked},
		{"inactive", validate.DirectRequest{Token: inactive.Plaintext}, validate.Inactive},
		{"owner disabled", validate.DirectRequest{Token: disabled.Plaintext}, validate.OwnerDisabled},
		{"scope denied", validate.DirectRequest{Token: good.Plaintext, Route: "POST /tokens"}, validate.ScopeDenied},
		{"route nobody lists", validate.DirectRequest{Token: good.Plaintext, Route: "GET /secret"}, validate.ScopeDenied},
		{"ip inside allow list v4", validate.DirectRequest{Token: cidr.Plaintext, SourceIP: "10.1.2.3"}, validate.Valid},
		{"ip inside allow list v6", validate.DirectRequest{Token: cidr.Plaintext, SourceIP: "2001:db8::5"}, validate.Valid},
		{"ip outside allow list", validate.DirectRequest{Token: cidr.Plaintext, SourceIP: "192.0.2.1"}, validate.IPNotAllowed},
		{"junk ip with allow list", validate.DirectRequest{Token: cidr.Plaintext, SourceIP: "..."}, validate.IPNotAllowed},
		{"junk ip without allow list", validate.DirectRequest{Token: good.Plaintext, SourceIP: "..."}, validate.Valid},
		{"blocked ip", validate.DirectRequest{Token: blocked.Plaintext, SourceIP: "192.0.2.9"}, validate.IPBlocked},
		{"blocked ip v4-mapped", validate.DirectRequest{Token: blocked.Plaintext, SourceIP: "::ffff:192.0.2.9"}, validate.IPBlocked},
		{"other ip not blocked", validate.DirectRequest{Token: blocked.Plaintext, SourceIP: "192.0.2.10"}, validate.Valid},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := f.direct(t, c.req)
			if (c.want == validate.Valid) != got.Active || (c.want != validate.Valid && got.Reason != c.want) {
				t.Fatalf("got active=%v reason=%s, want %s", got.Active, got.Reason, c.want)
			}
			if got.Active && (got.Owner == "" || got.TokenID == "" || got.ExpiresAt == "") {
				t.Fatalf("active answer lacks fields: %+v", got)
			}
		})
	}
}

func TestExpiryAndInactivityJudgedFromTheClock(t *testing.T) {
	t.Parallel()
	f := newFixture(t, testkit.Env{"VALIDATE_CACHE_TTL": "0", "INACTIVE_AFTER_DAYS": "30"})
	short := f.issue(t, manage.IssueRequest{Name: "short", ExpiresInDays: ptr(1)})
	long := f.issue(t, manage.IssueRequest{Name: "long", ExpiresInDays: ptr(90)})
	f.Clock.Advance(25 * time.Hour)
	if got := f.direct(t, validate.DirectRequest{Token: short.Plaintext}); got.Reason != validate.Expired {
		t.Fatalf("past expiresAt: %+v", got)
	}
	// long was just used (above is short); after 30 unused days it is inactive
	// even before the sweeper marks it.
	f.Clock.Advance(31 * 24 * time.Hour)
	if got := f.direct(t, validate.DirectRequest{Token: long.Plaintext}); got.Reason != validate.Inactive {
		t.Fatalf("unused for 31 days: %+v", got)
	}
}

func TestCacheBoundsRevocationLag(t *testing.T) {
	t.Parallel()
	f := newFixture(t, testkit.Env{"VALIDATE_CACHE_TTL": "2s"})
	tok := f.issue(t, manage.IssueRequest{Name: "c"})
	if got := f.direct(t, validate.DirectRequest{Token: tok.Plaintext}); !got.Active {
		t.Fatal("fresh token refused")
	}
	if _, err := f.svc.Revoke(context.Background(), ops, tok.Token.ID); err != nil {
		t.Fatal(err)
	}
	f.Clock.Advance(1999 * time.Millisecond)
	if got := f.direct(t, validate.DirectRequest{Token: tok.Plaintext}); !got.Active {
		t.Fatal("within the TTL the cached verdict stands (cache not used?)")
	}
	f.Clock.Advance(time.Millisecond)
	if got := f.direct(t, validate.DirectRequest{Token: tok.Plaintext}); got.Active || got.Reason != validate.Revoked {
		t.Fatalf("after the TTL: %+v", got)
	}
}

func TestFailsClosedOnStoreError(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	tok := f.issue(t, manage.IssueRequest{Name: "x"})
	// Point a second handler at a table that does not exist.
	a := *f.App.App
	a.Store = store.New(f.DB, "no-such-table", a.Store.Rules(), store.Eventual)
	h := validatefn.Lambda(&a)
	for _, name := range []string{"rest-token.json", "http-v2.json"} {
		out, err := invoke[any](t, h, sample(t, name, tok.Plaintext))
		if err == nil || errors.Is(err, validate.ErrUnauthorized) {
			t.Fatalf("%s: store failure answered %v / %v; want a 500-class error", name, out, err)
		}
	}
	raw, _ := json.Marshal(validate.DirectRequest{Token: tok.Plaintext})
	out, err := invoke[any](t, h, raw)
	if err == nil {
		t.Fatalf("direct: store failure answered %+v", out)
	}
	// Lambda reports the Go type's name as errorType: a direct invoker
	// matches "ValidateFailed", not errors.New's "errorString".
	if typ := reflect.TypeOf(err).Name(); typ != "ValidateFailed" {
		t.Errorf("direct: errorType would be %q, want ValidateFailed", typ)
	}
}

func TestLastUsedWrittenAtMostOncePerInterval(t *testing.T) {
	t.Parallel()
	f := newFixture(t, testkit.Env{"VALIDATE_CACHE_TTL": "0", "LAST_USED_INTERVAL": "5m"})
	ctx := context.Background()
	tok := f.issue(t, manage.IssueRequest{Name: "u"})
	use := func(ip string) {
		if got := f.direct(t, validate.DirectRequest{Token: tok.Plaintext, SourceIP: ip}); !got.Active {
			t.Fatalf("use refused: %+v", got)
		}
	}
	use("203.0.113.1")
	first, _ := f.Store.Record(ctx, tok.Token.ID, store.Consistent)
	f.Clock.Advance(time.Minute)
	use("203.0.113.2")
	same, _ := f.Store.Record(ctx, tok.Token.ID, store.Consistent)
	if first.LastUsedAt != testkit.Start.Unix() || same.LastUsedAt != first.LastUsedAt || same.LastUsedIP != "203.0.113.1" {
		t.Fatalf("lastUsed %d/%s then %d/%s", first.LastUsedAt, first.LastUsedIP, same.LastUsedAt, same.LastUsedIP)
	}
	f.Clock.Advance(5 * time.Minute)
	use("203.0.113.2")
	later, _ := f.Store.Record(ctx, tok.Token.ID, store.Consistent)
	if later.LastUsedAt != testkit.Start.Add(6*time.Minute).Unix() || later.LastUsedIP != "203.0.113.2" {
		t.Fatalf("after the interval: %d %s", later.LastUsedAt, later.LastUsedIP)
	}
	if later.Version != first.Version {
		t.Fatal("recording use must not bump version")
	}
}

func TestGraceSecretEndsOnTime(t *testing.T) {
	t.Parallel()
	f := newFixture(t, testkit.Env{"VALIDATE_CACHE_TTL": "2s"})
	ctx := context.Background()
	old := f.issue(t, manage.IssueRequest{Name: "g"})
	if got := f.direct(t, validate.DirectRequest{Token: old.Plaintext}); !got.Active {
		t.Fatal("old secret refused before regenerate")
	}
	next, err := f.svc.Regenerate(ctx, ops, old.Token.ID, 3600)
	if err != nil {
		t.Fatal(err)
	}
	f.Clock.Advance(3 * time.Second)
	for _, p := range []string{old.Plaintext, next.Plaintext} {
		if got := f.direct(t, validate.DirectRequest{Token: p}); !got.Active {
			t.Fatalf("inside the grace window: %+v", got)
		}
	}
	// A cached verdict for the old secret must not outlive the grace window.
	f.Clock.Advance(time.Hour - 4*time.Second)
	f.direct(t, validate.DirectRequest{Token: old.Plaintext})
	f.Clock.Advance(1500 * time.Millisecond)
	if got := f.direct(t, validate.DirectRequest{Token: old.Plaintext}); got.Active {
		t.Fatal("old secret accepted after prevValidUntil")
	}
	if got := f.direct(t, validate.DirectRequest{Token: next.Plaintext}); !got.Active {
		t.Fatal("new secret refused")
	}
}

func ptr[T any](v T) *T { return &v }

// invoke runs h as the Lambda runtime does and decodes its answer as T.
func invoke[T any](t testing.TB, h lambda.Handler, payload []byte) (T, error) {
	t.Helper()
	var out T
	raw, err := lambda.NewHandler(h).Invoke(context.Background(), payload)
	if err != nil {
		return out, err
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("answer %s: %v", raw, err)
	}
	return out, nil
}

// tamper changes a token's last character, so its checksum no longer fits.
func tamper(tok string) string {
	last := byte('x')
	if tok[len(tok)-1] == last {
		last = 'y'
	}
	return tok[:len(tok)-1] + string(last)
}

// A token hashed with a pepper key ops have since retired cannot be
// checked: it is refused as unknown_key, not answered as a fault.
func TestRetiredKeyIsRefusedNotAFault(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	tok := f.issue(t, manage.IssueRequest{Name: "old-pepper"})
	fresh, err := keyring.NewKeyringJSON("k2")
	if err != nil {
		t.Fatal(err)
	}
	a := *f.App.App
	a.Keyring = keyring.New(keyring.StaticSource(fresh), f.Clock, time.Hour)
	h := validatefn.Lambda(&a)
	raw, _ := json.Marshal(validate.DirectRequest{Token: tok.Plaintext})
	got, err := invoke[validate.DirectResponse](t, h, raw)
	if err != nil {
		t.Fatalf("a retired key answered with an error (a 500): %v", err)
	}
	if got.Active || got.Reason != validate.UnknownKey {
		t.Fatalf("answer %+v, want refused as unknown_key", got)
	}
	// REST: the bad-token answer, 401.
	if _, err := invoke[any](t, h, sample(t, "rest-token.json", tok.Plaintext)); !errors.Is(err, validate.ErrUnauthorized) {
		t.Fatalf("REST answer %v, want Unauthorized", err)
	}
}

// A new container whose token was used recently writes nothing on the
// request path; what it counts reaches the table with its next write, due
// when lastUsedAt is LAST_USED_INTERVAL old, across cache entries.
func TestUsageCountedInMemoryAndWrittenWhenDue(t *testing.T) {
	t.Parallel()
	f := newFixture(t, testkit.Env{"VALIDATE_CACHE_TTL": "2s", "LAST_USED_INTERVAL": "5m"})
	ctx := context.Background()
	tok := f.issue(t, manage.IssueRequest{Name: "u"})
	use := func(h lambda.Handler, ip string) {
		t.Helper()
		raw, _ := json.Marshal(validate.DirectRequest{Token: tok.Plaintext, SourceIP: ip})
		if got, err := invoke[validate.DirectResponse](t, h, raw); err != nil || !got.Active {
			t.Fatalf("use refused: %+v %v", got, err)
		}
	}
	uses := func() map[string]int64 {
		t.Helper()
		out := map[string]int64{}
		list, _, err := f.Store.Usage(ctx, tok.Token.ID, f.Clock.Now(), 50, "")
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range list {
			out[u.IP] = u.Count
		}
		return out
	}
	use(f.h, "203.0.113.1") // container A: never used, so due: written now
	if got := uses(); got["203.0.113.1"] != 1 {
		t.Fatalf("first use not written: %v", got)
	}
	before, _ := f.Store.Record(ctx, tok.Token.ID, store.Consistent)

	b := validatefn.Lambda(f.App.App) // container B starts a minute later
	f.Clock.Advance(time.Minute)
	for range 3 {
		use(b, "203.0.113.2")
		f.Clock.Advance(3 * time.Second) // past the cache TTL: each use reads the table again
	}
	use(b, "203.0.113.1")
	after, _ := f.Store.Record(ctx, tok.Token.ID, store.Consistent)
	if got := uses(); len(got) != 1 || after.LastUsedAt != before.LastUsedAt {
		t.Fatalf("a use within the interval wrote: usage %v, lastUsedAt %d → %d", got, before.LastUsedAt, after.LastUsedAt)
	}
	f.Clock.Advance(5 * time.Minute)
	use(b, "203.0.113.2")
	if got := uses(); got["203.0.113.2"] != 4 || got["203.0.113.1"] != 2 {
		t.Fatalf("counts after the due write: %v, want .2=4 .1=2", got)
	}
	if last, _ := f.Store.Record(ctx, tok.Token.ID, store.Consistent); last.LastUsedAt != f.Clock.Now().Unix() || last.LastUsedIP != "203.0.113.2" {
		t.Fatalf("lastUsed %d %s", last.LastUsedAt, last.LastUsedIP)
	}
}
