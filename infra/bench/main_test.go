package bench

import (
	"os"
	"slices"
	"testing"
	"time"

	"github.com/keymint/keymint/internal/testkit"
)

func TestMain(m *testing.M) { testkit.MainLocalAWS(m) }

// quantile is the q-quantile (0..1) of ds, interpolating between the two
// nearest samples; the median of an even count is the mean of the middle two.
func quantile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	pos := q * float64(len(s)-1)
	lo := int(pos)
	if lo >= len(s)-1 {
		return s[len(s)-1]
	}
	frac := pos - float64(lo)
	return s[lo] + time.Duration(frac*float64(s[lo+1]-s[lo]))
}

func median(ds []time.Duration) time.Duration { return quantile(ds, 0.5) }

// ms is d in milliseconds, for metrics named *-ms.
func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// discardStdout points os.Stdout at /dev/null while fn runs. keymint's
// functions log through aws-lambda-go's handler, which takes os.Stdout when
// it is built; their per-request JSON lines would otherwise land in the
// middle of `go test -bench` result lines. They still format and write
// every record, so the logging cost stays in the measurement.
func discardStdout(tb testing.TB, fn func()) {
	tb.Helper()
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { null.Close() })
	saved := os.Stdout
	os.Stdout = null
	defer func() { os.Stdout = saved }()
	fn()
}
