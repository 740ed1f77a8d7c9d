package e2e_test

import "testing"

// Issue 23, item 2, over real HTTP through the local API: a token that may
// read only orders (and itself) sends an encoded '?' or '#' inside its own
// id to reach its usage. The authorizer checks the route the API matched,
// GET /tokens/{id}/usage, with the id as one segment, and refuses it; it
// is not cut back to GET /tokens/{id}, the token's self route.
func TestEncodedQueryInParameterDoesNotCutTheRoute(t *testing.T) {
	t.Parallel()
	s := newLocalStack(t, stackOptions{})
	tok := s.opsIssue(map[string]any{"owner": "carol", "name": "orders", "scopes": []string{"orders:read"}})["token"].(string)
	id := tokenID(tok)
	cases := []struct {
		base, path string
		want       int
	}{
		{s.url, "/tokens/" + id, 200}, // the self route: the token works
		{s.url, "/tokens/" + id + "%3F/usage", 403},
		{s.url, "/tokens/" + id + "%23/usage", 403},
		{s.url, "/tokens/" + id + "/usage", 403},
		{s.example, "/orders/1", 200},
		{s.example, "/reports/2026%3F/q1", 403}, // orders:read opens no report, '?' or not
	}
	for _, c := range cases {
		if r := s.doAt(c.base, "GET", c.path, tok, nil, nil); r.status != c.want {
			t.Errorf("GET %s: %d %s, want %d", c.path, r.status, r.body, c.want)
		}
	}
}
