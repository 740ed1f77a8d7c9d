package manage_test

import (
	"fmt"
	"maps"
	"strings"
	"testing"

	"github.com/keymint/keymint/shared/manage"
)

// Metadata: bounded keys and values, refused whole (nothing written) when
// one pair is bad; kept by copy; replaced whole by edit, {} clearing it.
func TestMetadata(t *testing.T) {
	t.Parallel()
	r := newRig(t, nil)
	many := map[string]string{}
	for i := range manage.MaxMetadataKeys + 1 {
		many[fmt.Sprintf("k%d", i)] = "v"
	}
	cases := []struct {
		name string
		meta map[string]string
		want error
	}{
		{"none", nil, nil},
		{"two pairs", map[string]string{"customer": "acme-42", "tier": "gold plan ✓"}, nil},
		{"17 keys", many, manage.ErrInvalid},
		{"an upper-case key", map[string]string{"Customer": "x"}, manage.ErrInvalid},
		{"a key starting with a digit", map[string]string{"1st": "x"}, manage.ErrInvalid},
		{"a key with a dash", map[string]string{"cust-id": "x"}, manage.ErrInvalid},
		{"a 33-byte key", map[string]string{"k" + strings.Repeat("x", 32): "x"}, manage.ErrInvalid},
		{"a 257-byte value", map[string]string{"k": strings.Repeat("x", 257)}, manage.ErrInvalid},
		{"a control character", map[string]string{"k": "a\nb"}, manage.ErrInvalid},
		{"not UTF-8", map[string]string{"k": "\xff"}, manage.ErrInvalid},
	}
	for i, c := range cases {
		before := r.snapshot()
		iss, err := r.svc.Issue(r.ctx, ops, manage.IssueRequest{Owner: "acme", Name: fmt.Sprint("m", i), Scopes: []string{"tokens:read"}, Metadata: c.meta})
		outcome(t, c.name, err, c.want)
		if err != nil {
			r.unchangedSince(before, c.name)
			continue
		}
		if got := r.record(iss.Token.ID).Metadata; !maps.Equal(got, c.meta) {
			t.Errorf("%s: stored %v", c.name, got)
		}
	}
	src := r.mint(ops, manage.IssueRequest{Owner: "acme", Name: "src", Scopes: []string{"tokens:read"}, Metadata: map[string]string{"customer": "acme-42"}})
	cp, err := r.svc.Copy(r.ctx, ops, src.Token.ID, manage.CopyRequest{Name: "copy"})
	if err != nil || !maps.Equal(r.record(cp.Token.ID).Metadata, map[string]string{"customer": "acme-42"}) {
		t.Fatalf("copy: %v, %v", err, r.record(cp.Token.ID).Metadata)
	}
	repl := map[string]string{"region": "eu"}
	if _, err := r.svc.Edit(r.ctx, ops, src.Token.ID, manage.EditRequest{Metadata: &repl}); err != nil {
		t.Fatal(err)
	}
	if got := r.record(src.Token.ID).Metadata; !maps.Equal(got, repl) {
		t.Errorf("edited: %v, want only %v", got, repl)
	}
	bad := map[string]string{"Bad": "x"}
	before := r.snapshot()
	_, err = r.svc.Edit(r.ctx, ops, src.Token.ID, manage.EditRequest{Metadata: &bad})
	outcome(t, "a bad edit", err, manage.ErrInvalid)
	r.unchangedSince(before, "a bad edit")
	empty := map[string]string{}
	if _, err := r.svc.Edit(r.ctx, ops, src.Token.ID, manage.EditRequest{Metadata: &empty}); err != nil {
		t.Fatal(err)
	}
	if got := r.record(src.Token.ID).Metadata; got != nil {
		t.Errorf("cleared: %v", got)
	}
}

// An owner's metadata: checked as a token's (a bad pair writes nothing),
// audited, carried by its new tokens, cleared by {}.
func TestOwnerMetadata(t *testing.T) {
	t.Parallel()
	r := newRig(t, nil)
	first := r.mint(ops, manage.IssueRequest{Owner: "acme", Name: "a", Scopes: []string{"tokens:read"}})
	bad := map[string]string{"Tier": "gold"}
	before := r.snapshot()
	_, err := r.svc.SetOwnerPolicy(r.ctx, ops, "acme", manage.OwnerPolicy{Metadata: &bad}, deadline())
	outcome(t, "a bad key", err, manage.ErrInvalid)
	r.unchangedSince(before, "a bad key")
	good := map[string]string{"tier": "gold"}
	res, err := r.svc.SetOwnerPolicy(r.ctx, ops, "acme", manage.OwnerPolicy{Metadata: &good}, deadline())
	if err != nil || res.Marked != 1 || !maps.Equal(res.Owner.Metadata, good) {
		t.Fatalf("set: %+v %v", res, err)
	}
	if got := r.record(first.Token.ID).OwnerMetadata; !maps.Equal(got, good) {
		t.Errorf("the live token carries %v", got)
	}
	second := r.mint(ops, manage.IssueRequest{Owner: "acme", Name: "b", Scopes: []string{"tokens:read"}})
	if !maps.Equal(r.record(second.Token.ID).OwnerMetadata, good) {
		t.Errorf("a new token carries %v", r.record(second.Token.ID).OwnerMetadata)
	}
	empty := map[string]string{}
	if _, err := r.svc.SetOwnerPolicy(r.ctx, ops, "acme", manage.OwnerPolicy{Metadata: &empty}, deadline()); err != nil {
		t.Fatal(err)
	}
	if got := r.record(first.Token.ID); got.OwnerMetadata != nil || got.OwnerMetaSum != "" {
		t.Errorf("cleared: %v %q", got.OwnerMetadata, got.OwnerMetaSum)
	}
}
