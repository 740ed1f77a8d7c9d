package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/keymint/keymint/shared/app"
)

type echoIn struct {
	Text string         `json:"text"`
	Map  map[string]int `json:"map"`
	Fail bool           `json:"fail"`
}

type echoOut struct {
	Text string         `json:"text"`
	Map  map[string]int `json:"map,omitempty"`
	Any  any            `json:"any"`
}

var errEcho = errors.New("echo failed")

func echo(_ context.Context, in echoIn) (echoOut, error) {
	if in.Fail {
		return echoOut{}, errEcho
	}
	return echoOut{Text: in.Text, Map: in.Map, Any: []any{"<&>", 1.5, nil}}, nil
}

// Typed answers as lambda.NewHandler does, byte for byte and error for
// error, for what its encoding rules touch: HTML characters (not escaped),
// non-ASCII, maps (sorted keys), a handler error, an unreadable event, and
// data after the event (the Decoder reads one value).
func TestTypedAnswersAsNewHandler(t *testing.T) {
	t.Parallel()
	payloads := []string{
		`{"text":"a<b>&c","map":{"z":1,"a":2}}`,
		`{"text":"żółw \u2028 \ud83d\ude00"}`,
		`{"fail":true}`,
		`{"text":5}`,
		`not json`,
		`{"text":"x"} trailing`,
		`null`,
	}
	ours, theirs := app.Typed(echo), lambda.NewHandler(echo)
	for _, p := range payloads {
		t.Run(p, func(t *testing.T) {
			got, gotErr := ours.Invoke(context.Background(), []byte(p))
			want, wantErr := theirs.Invoke(context.Background(), []byte(p))
			if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) || fmt.Sprintf("%T", gotErr) != fmt.Sprintf("%T", wantErr) {
				t.Fatalf("error %T %v, lambda.NewHandler %T %v", gotErr, gotErr, wantErr, wantErr)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("answer %s, lambda.NewHandler %s", got, want)
			}
		})
	}
}

// Answers are the caller's: concurrent invokes each get their own, and a
// later invoke does not change an earlier answer.
func TestTypedAnswersAreTheCallers(t *testing.T) {
	t.Parallel()
	h := app.Typed(echo)
	first, err := h.Invoke(context.Background(), []byte(`{"text":"AAAA"}`))
	if err != nil {
		t.Fatal(err)
	}
	kept := string(first)
	if _, err := h.Invoke(context.Background(), []byte(`{"text":"BBBB"}`)); err != nil {
		t.Fatal(err)
	}
	if string(first) != kept {
		t.Fatalf("first answer changed to %s by the second invoke", first)
	}
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Go(func() {
			for i := range 200 {
				text := fmt.Sprintf("caller-%d-%d", g, i)
				out, err := h.Invoke(context.Background(), []byte(`{"text":"`+text+`"}`))
				var got echoOut
				if err != nil || json.Unmarshal(out, &got) != nil || got.Text != text {
					t.Errorf("caller %d call %d got %s (%v)", g, i, out, err)
					return
				}
			}
		})
	}
	wg.Wait()
}
