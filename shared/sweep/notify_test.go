package sweep_test

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/keymint/keymint/shared/sweep"
)

type fileLine struct {
	Source     string `json:"source"`
	DetailType string `json:"detail-type"`
	Time       string `json:"time"`
	Detail     struct {
		TokenID   string `json:"tokenId"`
		Owner     string `json:"owner"`
		Name      string `json:"name"`
		ExpiresAt string `json:"expiresAt"`
	} `json:"detail"`
}

func readLines(t *testing.T, path string) []fileLine {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []fileLine
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var l fileLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		out = append(out, l)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestFileNotifierAppendsPrivateJSONLines(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "nested", "notices.jsonl")
	n := sweep.NewFileNotifier(path)
	exp := time.Date(2100, 2, 3, 4, 5, 6, 0, time.UTC)
	batches := [][]sweep.Notice{
		{{TokenID: "a", Owner: "alice", Name: "ci", ExpiresAt: exp, At: exp.Add(-time.Hour)}},
		{},
		{{TokenID: "b", Owner: "bob", Name: "deploy", ExpiresAt: exp}, {TokenID: "c", Owner: "bob", Name: "x", ExpiresAt: exp}},
	}
	for _, b := range batches {
		if err := n.Notify(context.Background(), b); err != nil {
			t.Fatal(err)
		}
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if perm := st.Mode().Perm(); perm != 0o600 {
		t.Errorf("mode = %o, want 600", perm)
	}
	lines := readLines(t, path)
	wantIDs := []string{"a", "b", "c"}
	if len(lines) != len(wantIDs) {
		t.Fatalf("got %d lines, want %d", len(lines), len(wantIDs))
	}
	for i, l := range lines {
		if l.Detail.TokenID != wantIDs[i] || l.Source != sweep.NoticeSource || l.DetailType != sweep.NoticeDetailType {
			t.Errorf("line %d = %+v", i, l)
		}
		if l.Detail.ExpiresAt != "2100-02-03T04:05:06Z" {
			t.Errorf("line %d expiresAt = %q, want RFC 3339 UTC", i, l.Detail.ExpiresAt)
		}
	}
	if lines[0].Detail.Owner != "alice" || lines[0].Detail.Name != "ci" || lines[0].Time != "2100-02-03T03:05:06Z" {
		t.Errorf("first line = %+v", lines[0])
	}
}
