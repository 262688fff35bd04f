package sim_test

import (
	"fmt"
	"runtime"
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

// populate creates n idle jobs with one file each, owned by an
// administrator (no limits).
func populate(b *testing.B, svc *sim.Service, n int) {
	app, err := svc.StartApp("populate", model.Account{Name: "root", Kind: model.AccountAdministrator})
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < n; i++ {
		j, err := app.CreateJob("idle job", model.BG_JOB_TYPE_DOWNLOAD)
		if err != nil {
			b.Fatal(err)
		}
		if err := j.AddFile("https://updates.example/packages/app-1.2.3.msi", `C:\ProgramData\Updates\app-1.2.3.msi`); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRestart100k measures a restart (encode + decode through the
// store) of a service holding 100,000 idle jobs. Target: at most 1 s.
func BenchmarkRestart100k(b *testing.B) {
	svc, err := sim.New(sim.Options{Clock: sim.Manual, TraceLimit: -1})
	if err != nil {
		b.Fatal(err)
	}
	defer svc.Close()
	populate(b, svc, 100_000)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := svc.Restart(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkIdleJobMemory reports the heap held per idle job (one file
// each) in a service of 100,000 jobs. Target: at most 2 KiB per job.
func BenchmarkIdleJobMemory(b *testing.B) {
	const n = 100_000
	for i := 0; i < b.N; i++ {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		svc, err := sim.New(sim.Options{Clock: sim.Manual, TraceLimit: -1})
		if err != nil {
			b.Fatal(err)
		}
		populate(b, svc, n)
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/n, "B/idle-job")
		runtime.KeepAlive(svc)
		svc.Close()
	}
}
