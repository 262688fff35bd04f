package conformance

import (
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitssim/bitssim/harness"
	"github.com/bitssim/bitssim/model"
	"github.com/bitssim/bitssim/rules"
)

// flagsMask is the valid notify-flag mask of BITS version v, written from
// FLAGS-VERSION-MASK: 0x0F on BITS 1.5 to 2.5, 0x1F on BITS 3.0 to 5.0 and
// 0x3F on BITS 10.1 and later.
func flagsMask(v model.Version) model.NotifyFlags {
	switch {
	case v >= model.BITS10_1:
		return 0x3F
	case v >= model.BITS3_0:
		return 0x1F
	default:
		return 0x0F
	}
}

// flagsRetryDelay is the MinimumRetryDelay given to jobs whose
// notification must be retried: 5 s, the smallest BITS allows.
const flagsRetryDelay = 5 * time.Second

// flagsWait is how long the scenarios of this file and of scen_clsid.go
// and scen_prec.go let pass to see that nothing more happens, for a retry
// after flagsRetryDelay, or for a slow remote (2 KB at 1 KB/s) to finish.
const flagsWait = 10 * time.Second

// flagsRequestRanges requests the first kilobyte of f and lets the job
// fetch it.
func flagsRequestRanges(c *C, job model.Job, f model.File) {
	c.must(f.RequestFileRanges([]model.FileRange{{InitialOffset: 0, Length: 1024}}), "RequestFileRanges")
	c.Transfer(job)
}

func init() {
	markUntestable("FLAGS-GET-NULL-ARG",
		"the Go API returns the flags as a value (GetNotifyFlags() (NotifyFlags, error)): there is no output pointer a caller could pass as NULL, on any backend")

	register(
		Scenario{
			Rule: "FLAGS-ROUND-TRIP",
			Why:  "its expectations follow the backend's BITS version (a script is written for one version and has no conditionals)",
			// After SetNotifyFlags(f) returns S_OK, GetNotifyFlags returns
			// S_OK and exactly f.
			Run: func(c *C) {
				job := c.Job(c.App(Alice))
				values := []model.NotifyFlags{0x01, 0x02, 0x04, 0x08, 0x0B, 0x0F, 0x00, 0x03}
				if c.Version() >= model.BITS3_0 {
					values = append(values, 0x10, 0x1F, 0x19)
				}
				if c.Version() >= model.BITS10_1 {
					values = append(values, 0x20, 0x3F, 0x2B)
				}
				for _, f := range values {
					if f == 0 && c.Is("FLAGS-ZERO", rules.VarZeroRejected) {
						continue // not a value SetNotifyFlags accepts under this reading
					}
					if !assert.NoError(c, job.SetNotifyFlags(f), "SetNotifyFlags(%#x)", uint32(f)) {
						continue
					}
					got, err := job.GetNotifyFlags()
					assert.NoError(c, err)
					assert.Equal(c, f, got, "GetNotifyFlags after SetNotifyFlags(%#x)", uint32(f))
				}
			},
		},
		Scenario{
			Rule: "FLAGS-VERSION-MASK",
			Why:  "its expectations follow the backend's BITS version (a script is written for one version and has no conditionals)",
			// SetNotifyFlags accepts exactly the bits of the installed
			// version: 0x0F on 1.5-2.5, 0x1F on 3.0-5.0, 0x3F on 10.1+
			// (file-transferred-from-4.0 reading: 0x0F up to 3.0, 0x1F from
			// 4.0).
			Run: func(c *C) {
				v := c.Version()
				from := model.BITS3_0
				if c.Is("FLAGS-VERSION-MASK", rules.VarFileTransferredFrom40) {
					from = model.BITS4_0
				}
				var mask model.NotifyFlags
				switch {
				case v >= model.BITS10_1:
					mask = 0x3F
				case v >= from:
					mask = 0x1F
				case v >= model.BITS1_5:
					mask = 0x0F
				default:
					c.Errorf("FLAGS-VERSION-MASK states no mask for BITS %v", v)
					return
				}
				job := c.Job(c.App(Alice))
				assert.NoError(c, job.SetNotifyFlags(mask), "SetNotifyFlags(%#x), the whole mask of BITS %v", uint32(mask), v)
				for bit := 0; bit < 32; bit++ {
					f := model.NotifyFlags(1) << bit
					if mask&f != 0 {
						assert.NoError(c, job.SetNotifyFlags(f), "SetNotifyFlags(%#x) on BITS %v", uint32(f), v)
						continue
					}
					assert.ErrorIs(c, job.SetNotifyFlags(f), model.E_NOTIMPL, "SetNotifyFlags(%#x) on BITS %v", uint32(f), v)
					assert.ErrorIs(c, job.SetNotifyFlags(mask|f), model.E_NOTIMPL, "SetNotifyFlags(%#x) on BITS %v", uint32(mask|f), v)
				}
			},
		},
		Scenario{
			Rule: "FLAGS-INVALID-NOTIMPL",
			Why:  "its expectations follow the backend's BITS version (a script is written for one version and has no conditionals)",
			// A bit outside the version's mask gives E_NOTIMPL and the stored
			// flags stay as they were.
			Run: func(c *C) {
				job := c.Job(c.App(Alice))
				c.SetFlags(job, 0x0B)
				invalid := []model.NotifyFlags{0x40, 0x0B | 0x40, 0x80, 0x100, 0x8000_0000, 0xFFFF_FFFF}
				v := c.Version()
				if v < model.BITS3_0 || (v < model.BITS4_0 && c.Is("FLAGS-VERSION-MASK", rules.VarFileTransferredFrom40)) {
					invalid = append(invalid, 0x10, 0x0B|0x10)
				}
				if v < model.BITS10_1 {
					invalid = append(invalid, 0x20, 0x0B|0x20)
				}
				for _, f := range invalid {
					assert.ErrorIs(c, job.SetNotifyFlags(f), model.E_NOTIMPL, "SetNotifyFlags(%#x)", uint32(f))
					got, err := job.GetNotifyFlags()
					assert.NoError(c, err)
					assert.Equal(c, model.NotifyFlags(0x0B), got, "flags after the rejected SetNotifyFlags(%#x)", uint32(f))
				}
			},
		},
		Scenario{
			Rule: "FLAGS-DISABLE-COMBINABLE",
			Why:  "its expectations follow the backend's BITS version (a script is written for one version and has no conditionals)",
			// SetNotifyFlags accepts DISABLE together with other valid bits
			// (0x1F on BITS 3.0 and later) and returns S_OK.
			Run: func(c *C) {
				job := c.Job(c.App(Alice))
				values := []model.NotifyFlags{0x05, 0x06, 0x07, 0x0C, 0x0F}
				v := c.Version()
				if v >= model.BITS3_0 {
					values = append(values, 0x1F, 0x14)
				}
				if v >= model.BITS10_1 {
					values = append(values, 0x3F, 0x24)
				}
				for _, f := range values {
					assert.NoError(c, job.SetNotifyFlags(f), "SetNotifyFlags(%#x)", uint32(f))
				}
			},
		},
		Scenario{
			Rule: "FLAGS-FILTER",
			Why:  "its expectations follow the backend's BITS version (a script is written for one version and has no conditionals)",
			// BITS calls JobTransferred (0x01), JobError (0x02),
			// JobModification (0x08), FileTransferred (0x10) and
			// FileRangesTransferred (0x20) only while its flag is set and
			// DISABLE (0x04) is clear.
			Run: func(c *C) {
				a := c.App(Alice)
				v := c.Version()
				setup := func(flags model.NotifyFlags, remotes ...harness.RemoteKind) model.Job {
					job := c.Job(a, remotes...)
					c.SetFlags(job, flags)
					c.Register(a, job, harness.Behavior{})
					return job
				}
				none := func(job model.Job, kinds ...model.EventKind) {
					for _, k := range kinds {
						assert.Empty(c, c.Calls(job, k), "%v without its flag", k)
					}
				}

				onlyTransferred := setup(0x01, harness.RemoteOK, harness.RemoteOK)
				c.Transfer(onlyTransferred)
				assert.Len(c, To(c.Delivered(onlyTransferred, model.EventJobTransferred), a), 1, "JobTransferred with 0x01")
				none(onlyTransferred, model.EventJobModification, model.EventFileTransferred, model.EventJobError)

				errorOnlyDone := setup(0x02, harness.RemoteOK)
				c.Transfer(errorOnlyDone)
				require.Equal(c, model.BG_JOB_STATE_TRANSFERRED, c.State(errorOnlyDone))
				none(errorOnlyDone, model.EventJobTransferred, model.EventJobModification, model.EventFileTransferred)

				errorOnlyFailed := setup(0x02, harness.RemoteFatal)
				c.Transfer(errorOnlyFailed)
				require.Equal(c, model.BG_JOB_STATE_ERROR, c.State(errorOnlyFailed))
				assert.Len(c, To(c.Delivered(errorOnlyFailed, model.EventJobError), a), 1, "JobError with 0x02")
				none(errorOnlyFailed, model.EventJobModification)

				transferredOnlyFailed := setup(0x01, harness.RemoteFatal)
				c.Transfer(transferredOnlyFailed)
				require.Equal(c, model.BG_JOB_STATE_ERROR, c.State(transferredOnlyFailed))
				none(transferredOnlyFailed, model.EventJobError, model.EventJobModification)

				modOnly := setup(0x08, harness.RemoteOK)
				c.Transfer(modOnly)
				assert.NotEmpty(c, To(c.Delivered(modOnly, model.EventJobModification), a), "JobModification with 0x08")
				none(modOnly, model.EventJobTransferred, model.EventFileTransferred)

				disabled := setup(0x01|0x04, harness.RemoteOK)
				c.Transfer(disabled)
				none(disabled, model.EventJobTransferred)

				if v >= model.BITS3_0 {
					fileOnly := setup(0x10, harness.RemoteOK, harness.RemoteOK)
					c.Transfer(fileOnly)
					assert.Len(c, To(c.Delivered(fileOnly, model.EventFileTransferred), a), 2, "FileTransferred with 0x10, one per file")
					none(fileOnly, model.EventJobTransferred, model.EventJobModification)
				}
				if v >= model.BITS10_1 {
					ranges, f := c.OnDemandJob(a)
					c.SetFlags(ranges, 0x20)
					c.Register(a, ranges, harness.Behavior{})
					flagsRequestRanges(c, ranges, f)
					assert.Len(c, To(c.Delivered(ranges, model.EventFileRangesTransferred), a), 1, "FileRangesTransferred with 0x20")
					none(ranges, model.EventJobModification, model.EventFileTransferred)

					noRanges, f2 := c.OnDemandJob(a)
					c.SetFlags(noRanges, 0x1B)
					c.Register(a, noRanges, harness.Behavior{})
					flagsRequestRanges(c, noRanges, f2)
					none(noRanges, model.EventFileRangesTransferred)
				}
			},
		},
		Scenario{
			Rule: "FLAGS-DISABLE",
			Why:  "its expectations follow the backend's BITS version (a script is written for one version and has no conditionals)",
			// While DISABLE (0x04) is set BITS calls no callback method for
			// the job, whatever other bits are set.
			Run: func(c *C) {
				a := c.App(Alice)
				v := c.Version()
				all := flagsMask(v) // DISABLE and every other bit
				var clsid model.GUID
				if c.B.Capabilities().CLSID {
					clsid = c.Class(harness.Behavior{})
				}
				setup := func(job model.Job, withObject bool) model.Job {
					c.SetFlags(job, all)
					if withObject {
						c.Register(a, job, harness.Behavior{})
					}
					if !clsid.IsNull() {
						c.Do(job.SetNotifyCLSID(clsid), "SetNotifyCLSID")
					}
					return job
				}
				done := setup(c.Job(a, harness.RemoteOK, harness.RemoteOK), true)
				c.Transfer(done)
				require.Equal(c, model.BG_JOB_STATE_TRANSFERRED, c.State(done))
				failed := setup(c.Job(a, harness.RemoteFatal), true)
				c.Transfer(failed)
				require.Equal(c, model.BG_JOB_STATE_ERROR, c.State(failed))
				jobs := []model.Job{done, failed}
				if !clsid.IsNull() {
					viaCLSID := setup(c.Job(a, harness.RemoteOK), false)
					c.Transfer(viaCLSID)
					require.Equal(c, model.BG_JOB_STATE_TRANSFERRED, c.State(viaCLSID))
					jobs = append(jobs, viaCLSID)
				}
				if v >= model.BITS10_1 {
					ranges, f := c.OnDemandJob(a)
					setup(ranges, true)
					flagsRequestRanges(c, ranges, f)
					jobs = append(jobs, ranges)
				}
				c.Advance(flagsWait)
				for _, job := range jobs {
					assert.Empty(c, c.TraceOf(job), "no callback while DISABLE is set (flags %#x)", uint32(all))
				}
			},
		},
		Scenario{
			Rule:  "FLAGS-CMDLINE-SUBSET",
			Why:   "its expectations follow the backend's BITS version (a script is written for one version and has no conditionals)",
			Needs: harness.Capabilities{CommandLine: true},
			// Only JOB_TRANSFERRED (0x01) and JOB_ERROR (0x02) launch the
			// command line; JOB_MODIFICATION, FILE_TRANSFERRED and
			// FILE_RANGES_TRANSFERRED never do.
			Run: func(c *C) {
				a := c.App(Alice)
				// Every valid bit but TRANSFERRED, ERROR and DISABLE: 0x08, and
				// 0x10 and 0x20 where the version has them.
				others := flagsMask(c.Version()) &^ 0x07
				setup := func(flags model.NotifyFlags, remote harness.RemoteKind) model.Job {
					job := c.Job(a, remote)
					c.SetFlags(job, flags)
					c.CmdLine(job, 0)
					c.Transfer(job)
					return job
				}
				othersDone := setup(others, harness.RemoteOK)
				require.Equal(c, model.BG_JOB_STATE_TRANSFERRED, c.State(othersDone))
				othersFailed := setup(others, harness.RemoteFatal)
				require.Equal(c, model.BG_JOB_STATE_ERROR, c.State(othersFailed))
				transferred := setup(0x01, harness.RemoteOK)
				require.Equal(c, model.BG_JOB_STATE_TRANSFERRED, c.State(transferred))
				errored := setup(0x02, harness.RemoteFatal)
				require.Equal(c, model.BG_JOB_STATE_ERROR, c.State(errored))
				c.Advance(flagsWait)
				assert.Empty(c, c.Calls(othersDone, model.EventCommandLine), "flags %#x launch nothing for TRANSFERRED", uint32(others))
				assert.Empty(c, c.Calls(othersFailed, model.EventCommandLine), "flags %#x launch nothing for ERROR", uint32(others))
				assert.Len(c, c.Calls(transferred, model.EventCommandLine), 1, "JOB_TRANSFERRED launches the command line")
				assert.Len(c, c.Calls(errored, model.EventCommandLine), 1, "JOB_ERROR launches the command line")
			},
		},
	)
}
