package sweep_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/keymint/keymint/shared/sweep"
)

// putEntry is a PutEvents request entry as it travels on the wire.
type putEntry struct {
	Source       string
	DetailType   string
	Detail       string
	EventBusName string
	Time         json.Number
}

// fakeEventBridge speaks PutEvents (awsJson1_1) and records what it got.
// reject names token ids whose entry it refuses; failRequest makes the
// request with that 1-based number fail as a whole.
type fakeEventBridge struct {
	reject      map[string]bool
	failRequest int

	mu       sync.Mutex
	requests [][]putEntry
}

func (f *fakeEventBridge) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if got := r.Header.Get("X-Amz-Target"); got != "AWSEvents.PutEvents" {
		http.Error(w, "unexpected target "+got, http.StatusBadRequest)
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/x-amz-json-1.1" {
		http.Error(w, "unexpected content type "+ct, http.StatusBadRequest)
		return
	}
	var in struct{ Entries []putEntry }
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	f.requests = append(f.requests, in.Entries)
	n := len(f.requests)
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	if n == f.failRequest {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `{"__type":"ValidationException","message":"rejected batch"}`)
		return
	}
	type result struct {
		EventId      string `json:",omitempty"`
		ErrorCode    string `json:",omitempty"`
		ErrorMessage string `json:",omitempty"`
	}
	out := struct {
		FailedEntryCount int
		Entries          []result
	}{}
	for i, e := range in.Entries {
		var d struct{ TokenID string }
		_ = json.Unmarshal([]byte(e.Detail), &d)
		if f.reject[d.TokenID] {
			out.FailedEntryCount++
			out.Entries = append(out.Entries, result{ErrorCode: "InternalFailure", ErrorMessage: "try again"})
			continue
		}
		out.Entries = append(out.Entries, result{EventId: fmt.Sprintf("ev-%d-%d", n, i)})
	}
	_ = json.NewEncoder(w).Encode(out)
}

func newEventBridgeClient(t *testing.T, h http.Handler) *eventbridge.Client {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return eventbridge.NewFromConfig(aws.Config{
		Region:      "us-east-1",
		Credentials: aws.AnonymousCredentials{},
	}, func(o *eventbridge.Options) {
		o.BaseEndpoint = aws.String(srv.URL)
		o.RetryMaxAttempts = 1
	})
}

func notices(n int) []sweep.Notice {
	exp := time.Date(2100, 3, 1, 0, 0, 0, 0, time.UTC)
	out := make([]sweep.Notice, n)
	for i := range out {
		out[i] = sweep.Notice{TokenID: fmt.Sprintf("tok%013d", i), Owner: "alice", Name: fmt.Sprintf("n%d", i), ExpiresAt: exp, At: exp.Add(-72 * time.Hour)}
	}
	return out
}

func TestEventBridgeNotifier(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		count        int
		reject       []string
		failRequest  int
		wantSizes    []int
		wantFailed   []string
		wantDelivery bool
	}{
		{name: "one batch", count: 3, wantSizes: []int{3}},
		{name: "batches of ten", count: 23, wantSizes: []int{10, 10, 3}},
		{name: "nothing to send", count: 0},
		{name: "failed entries are reported", count: 12, reject: []string{"tok0000000000002", "tok0000000000011"},
			wantSizes: []int{10, 2}, wantFailed: []string{"tok0000000000002", "tok0000000000011"}, wantDelivery: true},
		{name: "a refused request fails its whole batch", count: 12, failRequest: 1, wantSizes: []int{10, 2},
			wantFailed: []string{"tok0000000000000", "tok0000000000001", "tok0000000000002", "tok0000000000003", "tok0000000000004",
				"tok0000000000005", "tok0000000000006", "tok0000000000007", "tok0000000000008", "tok0000000000009"}, wantDelivery: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fake := &fakeEventBridge{reject: map[string]bool{}, failRequest: tc.failRequest}
			for _, id := range tc.reject {
				fake.reject[id] = true
			}
			n := sweep.NewEventBridgeNotifier(newEventBridgeClient(t, fake), "default")
			sent := notices(tc.count)
			err := n.Notify(context.Background(), sent)

			var de *sweep.DeliveryError
			if got := errors.As(err, &de); got != tc.wantDelivery {
				t.Fatalf("err = %v, want a DeliveryError: %v", err, tc.wantDelivery)
			}
			if tc.wantDelivery && !slices.Equal(de.Failed, tc.wantFailed) {
				t.Errorf("failed = %v, want %v", de.Failed, tc.wantFailed)
			}
			if !tc.wantDelivery && err != nil {
				t.Fatalf("err = %v", err)
			}
			var sizes []int
			i := 0
			for _, req := range fake.requests {
				sizes = append(sizes, len(req))
				for _, e := range req {
					want := sent[i]
					i++
					if e.Source != "keymint" || e.DetailType != "keymint.token.expiring" || e.EventBusName != "default" {
						t.Errorf("entry %d = %+v", i, e)
					}
					var d map[string]string
					if err := json.Unmarshal([]byte(e.Detail), &d); err != nil {
						t.Fatalf("detail %q: %v", e.Detail, err)
					}
					wantDetail := map[string]string{"tokenId": want.TokenID, "owner": "alice", "name": want.Name, "expiresAt": "2100-03-01T00:00:00Z"}
					if fmt.Sprint(d) != fmt.Sprint(wantDetail) {
						t.Errorf("detail = %v, want %v", d, wantDetail)
					}
					if sec, err := e.Time.Int64(); err != nil || sec != want.At.Unix() {
						t.Errorf("time = %s, want %d", e.Time, want.At.Unix())
					}
				}
			}
			if !slices.Equal(sizes, tc.wantSizes) {
				t.Errorf("batch sizes = %v, want %v", sizes, tc.wantSizes)
			}
		})
	}
}
