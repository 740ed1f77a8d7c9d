package sweep_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/keymint/keymint/shared/sweep"
)

// benchDue is how many tokens each iteration makes due, whatever the table size.
const benchDue = 500

// BenchmarkSweepScale sweeps the same 500 due tokens out of tables of 10k
// and 100k tokens. The sweeper reads GSI2 only up to now, so items read per
// run (items/op) should stay near the due count and the run time (ns/op)
// should not grow with the table. Seeding happens outside the timer; the
// 100k size is skipped with -short. Run it with `make bench` or
//
//	go test -run='^$' -bench=SweepScale -benchtime=1x ./shared/sweep/
func BenchmarkSweepScale(b *testing.B) {
	for _, size := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("%dk", size/1000), func(b *testing.B) {
			if size > 10_000 && testing.Short() {
				b.Skip("seeding 100k tokens takes minutes; run without -short")
			}
			f := newFixture(b, nil)
			seeded := time.Now()
			seedIdle(b, f, size-benchDue)
			b.Logf("seeded %d idle tokens in %s", size-benchDue, time.Since(seeded).Round(time.Millisecond))

			var items, examined int64
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				want := seedDue(b, f, 1_000_000+i*benchDue)
				f.api.queried.Store(0)
				f.api.gets.Store(0)
				f.Clock.Set(baseTime().Add(days(60)))
				b.StartTimer()

				rep, err := f.sw.Run(context.Background(), sweep.Options{})

				b.StopTimer()
				if err != nil {
					b.Fatal(err)
				}
				rep.DurationMs = 0
				if rep != want {
					b.Fatalf("run %d: report %+v, want %+v", i, rep, want)
				}
				items += f.api.itemsRead()
				examined += int64(rep.Examined)
			}
			b.ReportMetric(float64(items)/float64(b.N), "items/op")
			b.ReportMetric(float64(examined)/float64(b.N), "due/op")
			b.ReportMetric(float64(items)/float64(examined), "reads/due")
			if items > 2*examined {
				b.Errorf("read %d items for %d due: more than twice the work", items, examined)
			}
		})
	}
}

// seedDue writes benchDue tokens through the store, all due at day 60 and
// spread over every rule, and returns the report a sweep must give.
func seedDue(b *testing.B, f *fixture, from int) sweep.Report {
	b.Helper()
	var specs []spec
	rep := sweep.Report{Examined: benchDue}
	for i := range benchDue {
		s := spec{id: tokID(from + i)}
		switch i % 5 {
		case 0:
			s.expires, s.lastUsed = days(300), days(10)
			rep.Inactivated++
		case 1:
			s.expires, s.lastUsed, s.notified = days(59), days(50), days(52)
			rep.Expired++
		case 2:
			s.expires, s.lastUsed = days(65), days(55)
			rep.Notified++
		case 3:
			s.expires, s.lastUsed, s.expired = days(25), days(20), days(25)
			rep.Deleted++
		case 4:
			s.expires, s.lastUsed = days(62), days(29)
			rep.Inactivated++
			rep.Notified++
		}
		specs = append(specs, s)
	}
	// Parallel, as the seeding is not what is measured.
	errs := make([]error, 8)
	var wg sync.WaitGroup
	for w := range errs {
		wg.Go(func() {
			for i := w; i < len(specs) && errs[w] == nil; i += len(errs) {
				errs[w] = f.create(specs[i])
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		b.Fatal(err)
	}
	return rep
}

// seedIdle bulk-loads n tokens that are not due at day 60, with
// BatchWriteItem from 8 writers: Apply's one transaction per token would
// take far longer at 100k.
func seedIdle(b *testing.B, f *fixture, n int) {
	b.Helper()
	items := make([]map[string]types.AttributeValue, n)
	for i := range items {
		it, err := f.Store.BulkItem(spec{id: tokID(i), expires: days(300), lastUsed: days(50)}.token())
		if err != nil {
			b.Fatal(err)
		}
		items[i] = it
	}
	batches := make(chan []map[string]types.AttributeValue)
	errs := make(chan error, 8)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for batch := range batches {
				if err := writeBatch(f, batch); err != nil {
					errs <- err
					for range batches { // drain so the feeder does not block
					}
					return
				}
			}
		})
	}
	for i := 0; i < n; i += 25 {
		batches <- items[i:min(i+25, n)]
	}
	close(batches)
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		b.Fatal(err)
	}
}

func writeBatch(f *fixture, batch []map[string]types.AttributeValue) error {
	reqs := make([]types.WriteRequest, len(batch))
	for i, it := range batch {
		reqs[i] = types.WriteRequest{PutRequest: &types.PutRequest{Item: it}}
	}
	pending := map[string][]types.WriteRequest{f.Table: reqs}
	for attempt := 0; len(pending) > 0; attempt++ {
		if attempt > 0 {
			time.Sleep(time.Duration(attempt) * 50 * time.Millisecond)
		}
		if attempt > 10 {
			return fmt.Errorf("batch write: %d items still unprocessed", len(pending[f.Table]))
		}
		out, err := f.DB.BatchWriteItem(context.Background(), &dynamodb.BatchWriteItemInput{RequestItems: pending})
		if err != nil {
			return fmt.Errorf("batch write: %w", err)
		}
		pending = out.UnprocessedItems
	}
	return nil
}
