package sim_test

import (
	"fmt"
	"testing"

	"github.com/bitssim/bitssim/model"
	"github.com/bitssim/bitssim/sim"
)

// lifecycle runs one full job life: create, AddFile, register an object,
// Resume, transfer, JobTransferred delivered, Complete.
func lifecycle(b *testing.B, svc *sim.Service, app *sim.App, cb model.Callback) {
	job, err := app.CreateJob("bench", model.BG_JOB_TYPE_DOWNLOAD)
	if err != nil {
		b.Fatal(err)
	}
	if err := job.AddFile("http://bench/f", `C:\bench\f`); err != nil {
		b.Fatal(err)
	}
	if err := job.SetNotifyInterface(cb); err != nil {
		b.Fatal(err)
	}
	if err := job.Resume(); err != nil {
		b.Fatal(err)
	}
	if err := svc.RunUntilIdle(); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkLifecycle measures full job lifecycles on the manual clock.
// Target: at least 1,000,000 per second on one core, at most 1 KiB
// allocated per lifecycle.
func BenchmarkLifecycle(b *testing.B) {
	svc, err := sim.New(sim.Options{Clock: sim.Manual, TraceLimit: -1})
	if err != nil {
		b.Fatal(err)
	}
	defer svc.Close()
	app, _ := svc.StartApp("bench", model.Account{Name: "bench", Kind: model.AccountAdministrator})
	delivered := 0
	cb := &model.CallbackFuncs{OnJobTransferred: func(j model.Job) error {
		delivered++
		_, err := j.Complete()
		return err
	}}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		lifecycle(b, svc, app, cb)
	}
	b.StopTimer()
	if delivered != b.N {
		b.Fatalf("%d JobTransferred for %d lifecycles", delivered, b.N)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lifecycles/s")
}

// BenchmarkLifecycleScale shows the cost of a lifecycle does not grow
// with the number of idle jobs the service holds.
func BenchmarkLifecycleScale(b *testing.B) {
	for _, idle := range []int{1_000, 10_000, 100_000} {
		b.Run(fmt.Sprintf("idle=%d", idle), func(b *testing.B) {
			svc, err := sim.New(sim.Options{Clock: sim.Manual, TraceLimit: -1})
			if err != nil {
				b.Fatal(err)
			}
			defer svc.Close()
			app, _ := svc.StartApp("bench", model.Account{Name: "bench", Kind: model.AccountAdministrator})
			for i := 0; i < idle; i++ {
				j, err := app.CreateJob("idle", model.BG_JOB_TYPE_DOWNLOAD)
				if err != nil {
					b.Fatal(err)
				}
				_ = j.AddFile("http://bench/idle", `C:\bench\idle`)
			}
			cb := &model.CallbackFuncs{OnJobTransferred: func(j model.Job) error { _, err := j.Complete(); return err }}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				lifecycle(b, svc, app, cb)
			}
		})
	}
}
