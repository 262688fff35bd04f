package simtest_test

import (
	"testing"

	"github.com/bitssim/bitssim/model"
	"github.com/bitssim/bitssim/sim"
	"github.com/bitssim/bitssim/simtest"
)

// BenchmarkAwaitedLifecycle measures one job's life through simtest on each
// clock: create, add a file, register, resume, and wait until the callback
// has completed it.
func BenchmarkAwaitedLifecycle(b *testing.B) {
	for _, clock := range []sim.ClockMode{sim.Manual, sim.Automatic} {
		b.Run(clock.String(), func(b *testing.B) {
			svc := simtest.New(b, simtest.Clock(clock), simtest.WithOptions(sim.Options{Clock: clock, TraceLimit: 1000}))
			app := svc.App("A", "alice")
			cb := completes()
			b.ReportAllocs()
			for b.Loop() {
				job, err := app.CreateJob("j", model.BG_JOB_TYPE_DOWNLOAD)
				if err != nil {
					b.Fatal(err)
				}
				if err := job.AddFile("http://srv/f", `C:\f`); err != nil {
					b.Fatal(err)
				}
				if err := job.SetNotifyInterface(cb); err != nil {
					b.Fatal(err)
				}
				if err := job.Resume(); err != nil {
					b.Fatal(err)
				}
				svc.AwaitState(job, model.BG_JOB_STATE_ACKNOWLEDGED)
			}
		})
	}
}
