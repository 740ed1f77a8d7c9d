package manage_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/keymint/keymint/shared/manage"
)

// An edit may narrow a token, never widen it: scopes only shrink, expiry
// only comes closer (and stays within the maximum lifetime of when the
// secret was made). A refused edit changes nothing, even the fields of the
// same request that were fine.
func TestEditOnlyNarrows(t *testing.T) {
	t.Parallel()
	day := 24 * time.Hour
	cases := []struct {
		name      string
		req       manage.EditRequest
		expiresIn time.Duration // sets req.ExpiresAt, from the test's start
		want      error
		wantField string
		check     func(t *testing.T, r *rig, id string)
	}{
		{name: "shrink scopes", req: manage.EditRequest{Scopes: &[]string{"orders:read"}}, check: func(t *testing.T, r *rig, id string) {
			if got := r.record(id).Scopes; !slices.Equal(got, []string{"orders:read"}) {
				t.Errorf("scopes %v", got)
			}
		}},
		{name: "widen scopes", req: manage.EditRequest{Description: ptr("x"), Scopes: &[]string{"orders:read", "reports:read"}}, want: manage.ErrInvalid, wantField: "scopes"},
		{name: "no scopes", req: manage.EditRequest{Scopes: &[]string{}}, want: manage.ErrInvalid, wantField: "scopes"},
		{name: "an unknown scope", req: manage.EditRequest{Scopes: &[]string{"nope:nope"}}, want: manage.ErrInvalid, wantField: "scopes"},
		{name: "expiry closer", expiresIn: 5 * day, check: func(t *testing.T, r *rig, id string) {
			if got := r.record(id).ExpiresAt; got != r.start.Add(5*day).Unix() {
				t.Errorf("expiresAt %d", got)
			}
		}},
		{name: "expiry further", req: manage.EditRequest{Description: ptr("x")}, expiresIn: 11 * day, want: manage.ErrInvalid, wantField: "expiresAt"},
		{name: "expiry in the past", expiresIn: -time.Second, want: manage.ErrInvalid, wantField: "expiresAt"},
		{name: "a bad name", req: manage.EditRequest{Name: ptr("a/b")}, want: manage.ErrInvalid, wantField: "name"},
		{name: "a bidi override in the description", req: manage.EditRequest{Description: ptr("safe\u202egnp.exe")}, want: manage.ErrInvalid, wantField: "description"},
		{name: "a bad CIDR", req: manage.EditRequest{AllowedCIDRs: &[]string{"::ffff:0:0/80"}}, want: manage.ErrInvalid, wantField: "allowedCidrs"},
		{name: "nothing to change", req: manage.EditRequest{Description: ptr("d")}, check: func(t *testing.T, r *rig, id string) {
			if v := r.record(id).Version; v != 1 {
				t.Errorf("an edit that changes nothing wrote version %d", v)
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := newRig(t, nil)
			tok := r.mint(ops, manage.IssueRequest{Owner: "acme", Name: "e", Description: "d", Scopes: []string{"orders:full"}, ExpiresInDays: ptr(10)})
			if c.expiresIn != 0 {
				c.req.ExpiresAt = ptr(r.start.Add(c.expiresIn))
			}
			before := r.snapshot()
			_, err := r.svc.Edit(r.ctx, ops, tok.Token.ID, c.req)
			outcome(t, c.name, err, c.want)
			if c.want != nil {
				var fe *manage.FieldError
				if !errors.As(err, &fe) || fe.Field != c.wantField {
					t.Errorf("error %v, want a FieldError on %s", err, c.wantField)
				}
				r.unchangedSince(before, c.name)
			}
			if c.check != nil && err == nil {
				c.check(t, r, tok.Token.ID)
			}
		})
	}
}
