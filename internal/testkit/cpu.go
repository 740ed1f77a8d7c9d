package testkit

import (
	"syscall"
	"testing"
	"time"
)

// CPUTime is the CPU time (user + system, all threads) this process has
// used so far. Benchmarks compare it across a loop rather than wall time:
// this machine is shared, and CPU time counts only what the process itself
// did (its GC included), not the waits other work causes.
func CPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// CPUMeter reports a benchmark loop's process CPU time per iteration as
// cpu-ns/op. Start it just before the loop; Report just after.
type CPUMeter struct{ start time.Duration }

// StartCPU begins a measurement.
func StartCPU() CPUMeter { return CPUMeter{start: CPUTime()} }

// Report adds cpu-ns/op to b's results.
func (m CPUMeter) Report(b *testing.B) {
	if b.N > 0 {
		b.ReportMetric(float64(CPUTime()-m.start)/float64(b.N), "cpu-ns/op")
	}
}
