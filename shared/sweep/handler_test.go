package sweep_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/keymint/keymint/shared/app/sweeperfn"
	"github.com/keymint/keymint/shared/sweep"
)

// scheduledEvent is what the template's hourly rule delivers.
const scheduledEvent = `{
  "version": "0", "id": "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",
  "detail-type": "Scheduled Event", "source": "aws.events",
  "account": "123456789012", "time": "2100-01-01T00:00:00Z", "region": "us-east-1",
  "resources": ["arn:aws:events:us-east-1:123456789012:rule/keymint-sweep"], "detail": {}
}`

func TestParsePayload(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		payload string
		want    sweep.Options
		wantErr bool
	}{
		{name: "scheduled event", payload: scheduledEvent},
		{name: "empty object", payload: `{}`},
		{name: "no payload", payload: ``},
		{name: "null", payload: `null`},
		{name: "dry run with limit", payload: `{"dryRun":true,"limit":100}`, want: sweep.Options{DryRun: true, Limit: 100}},
		{name: "now", payload: `{"now":"2100-03-01T00:00:00Z"}`, want: sweep.Options{Now: time.Date(2100, 3, 1, 0, 0, 0, 0, time.UTC)}},
		{name: "unknown field", payload: `{"dryrun":true}`, wantErr: true},
		{name: "limit as text", payload: `{"limit":"5"}`, wantErr: true},
		{name: "fractional limit", payload: `{"limit":1.5}`, wantErr: true},
		{name: "negative limit", payload: `{"limit":-1}`, wantErr: true},
		{name: "now not RFC 3339", payload: `{"now":"2100-03-01"}`, wantErr: true},
		{name: "not an object", payload: `[1,2]`, wantErr: true},
		{name: "not JSON", payload: `dryRun`, wantErr: true},
		{name: "another kind of event", payload: `{"detail-type":"Object Created","source":"aws.s3","detail":{}}`, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := sweep.ParsePayload(json.RawMessage(tc.payload))
			if tc.wantErr {
				if !errors.Is(err, sweep.ErrInvalid) {
					t.Errorf("err = %v, want ErrInvalid", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("options = %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestHandle(t *testing.T) {
	t.Parallel()
	noticeDue := spec{id: tokID(1), expires: days(35), lastUsed: days(20)} // notice from day 28
	tests := []struct {
		name      string
		override  bool
		clockAt   time.Duration
		payload   string
		want      sweep.Report
		wantErr   error
		wantLines int
	}{
		{name: "schedule", clockAt: days(30), payload: scheduledEvent, want: sweep.Report{Examined: 1, Notified: 1}, wantLines: 1},
		{name: "ops dry run", clockAt: days(30), payload: `{"dryRun":true}`, want: sweep.Report{Examined: 1, Notified: 1, DryRun: true}},
		{name: "ops limit", clockAt: days(30), payload: `{"limit":1}`, want: sweep.Report{Examined: 1, Notified: 1}, wantLines: 1},
		{name: "now without the override", clockAt: days(1), payload: `{"now":"2100-01-31T00:00:00Z"}`, wantErr: sweep.ErrClockOverride},
		{name: "now with the override", override: true, clockAt: days(1), payload: `{"now":"2100-01-31T00:00:00Z"}`, want: sweep.Report{Examined: 1, Notified: 1}, wantLines: 1},
		{name: "unknown field", clockAt: days(30), payload: `{"dry_run":true}`, wantErr: sweep.ErrInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			env := map[string]string{"LOCAL_DIR": dir}
			if tc.override {
				env["KEYMINT_ALLOW_CLOCK_OVERRIDE"] = "1"
			}
			f := newFixture(t, env)
			f.seed(t, noticeDue)
			f.Clock.Set(baseTime().Add(tc.clockAt))
			snap := f.snapshot(t)

			got, err := sweep.NewHandler(sweeperfn.Sweeper(f.App.App)).Handle(context.Background(), json.RawMessage(tc.payload))
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
				if !reflect.DeepEqual(snap, f.snapshot(t)) {
					t.Error("a refused request changed the table")
				}
			} else if err != nil {
				t.Fatal(err)
			}
			got.DurationMs = 0
			if got != tc.want {
				t.Errorf("report = %+v, want %+v", got, tc.want)
			}
			path := filepath.Join(dir, sweep.NoticesFile)
			if tc.wantLines == 0 {
				if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
					t.Errorf("notices file exists (err %v)", err)
				}
				return
			}
			lines := readLines(t, path)
			if len(lines) != tc.wantLines || lines[0].Detail.TokenID != noticeDue.id || lines[0].Detail.ExpiresAt != "2100-02-05T00:00:00Z" {
				t.Errorf("notices = %+v", lines)
			}
		})
	}
}

// What an invoker of SweeperFunction sees when a run fails: a stable
// errorType, and no store or event-bus error text.
func TestLambdaErrorTypes(t *testing.T) {
	t.Parallel()
	noticeDue := spec{id: tokID(1), expires: days(35), lastUsed: days(20)}
	tests := []struct {
		name, payload string
		blockNotices  bool // notices.jsonl is a directory: the notice fails
		want          string
	}{
		{name: "unknown field", payload: `{"dry_run":true}`, want: sweep.ErrorTypeInvalidInput},
		{name: "not an object", payload: `[1]`, want: sweep.ErrorTypeInvalidInput},
		{name: "notice fails", payload: `{}`, blockNotices: true, want: sweep.ErrorTypeIncomplete},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if tc.blockNotices {
				if err := os.Mkdir(filepath.Join(dir, sweep.NoticesFile), 0o700); err != nil {
					t.Fatal(err)
				}
			}
			f := newFixture(t, map[string]string{"LOCAL_DIR": dir})
			f.seed(t, noticeDue)
			f.Clock.Set(baseTime().Add(days(30)))
			out, err := sweeperfn.Lambda(f.App.App).Invoke(context.Background(), []byte(tc.payload))
			var ie messages.InvokeResponse_Error
			if !errors.As(err, &ie) {
				t.Fatalf("answer %s, error %T %v; want an InvokeResponse_Error", out, err, err)
			}
			if ie.Type != tc.want {
				t.Errorf("errorType %q (%s), want %q", ie.Type, ie.Message, tc.want)
			}
			if strings.Contains(ie.Message, dir) {
				t.Errorf("message %q carries the underlying error's text", ie.Message)
			}
		})
	}
}
