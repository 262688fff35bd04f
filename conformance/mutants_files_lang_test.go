package conformance_test

import (
	"slices"
	"testing"

	"github.com/bitssim/bitssim/harness"
	"github.com/bitssim/bitssim/model"
	"github.com/bitssim/bitssim/sim"
)

// Mutants of the rules whose scenario files use what issue 14 part A
// added to the language: settle off (a job seen QUEUED before the work
// due), when variant, files in order and an error's protocol. Each breaks
// what its rule's statement says; the rule's file must fail on it, and
// pass on the same wrapper without a change.

// machineMutant is a scriptedMutant that keeps the simulator's network
// control and its record of failed attempts too, which the files need
// (network off, a failed attempt counted after a restart).
type machineMutant struct {
	*scriptedMutant
	harness.NetworkControl
	harness.ServiceTracer
}

// machineFileMutant builds a machineMutant over a simulator, changed by
// change (which may use the simulator's own network control).
func machineFileMutant(change func(b *backend, net harness.NetworkControl) harness.NetworkControl) harness.Factory {
	return func(t harness.TB) harness.Backend {
		var inner *harness.SimBackend
		sm := fileMutant(sim.Options{Seed: 7}, nil, nil)(t).(*scriptedMutant)
		inner = sm.backend.Backend.(*harness.SimBackend)
		var net harness.NetworkControl = inner
		if change != nil {
			net = change(sm.backend, inner)
		}
		return &machineMutant{scriptedMutant: sm, NetworkControl: net, ServiceTracer: inner}
	}
}

// netHook is a NetworkControl that runs before and after the simulator's.
type netHook struct {
	inner        harness.NetworkControl
	before, post func(connected bool)
}

func (n netHook) SetNetwork(connected bool) error {
	if n.before != nil {
		n.before(connected)
	}
	if err := n.inner.SetNetwork(connected); err != nil {
		return err
	}
	if n.post != nil {
		n.post(connected)
	}
	return nil
}

// jobsIn returns the IDs of the jobs in state st (and, when code is not
// 0, whose error is not code), seen by an administrator.
func jobsIn(b harness.Backend, st model.JobState, notCode model.HRESULT) []model.GUID {
	var ids []model.GUID
	adminJobs(b, func(j model.Job) {
		if s, err := j.GetState(); err != nil || s != st {
			return
		}
		if notCode != 0 {
			if e, err := j.GetError(); err != nil || e.Code == notCode {
				return
			}
		}
		ids = append(ids, j.GetId())
	})
	return ids
}

// onJobs calls f on the jobs with the given IDs, as an administrator.
func onJobs(b harness.Backend, ids []model.GUID, f func(model.Job)) {
	adminJobs(b, func(j model.Job) {
		if slices.Contains(ids, j.GetId()) {
			f(j)
		}
	})
}

// reversedFiles lists a job's files newest first.
type reversedFiles struct{ model.Job }

func (j reversedFiles) EnumFiles() ([]model.File, error) {
	fs, err := j.Job.EnumFiles()
	slices.Reverse(fs)
	return fs, err
}

// httpErrors reports every error's protocol as http.
type httpErrors struct{ model.Job }

func (j httpErrors) GetError() (model.JobError, error) {
	e, err := j.Job.GetError()
	if err == nil && e.Protocol != "" {
		e.Protocol = "http"
	}
	return e, err
}

// langFileMutants returns, per rule, the mutants its scenario file must
// catch.
func langFileMutants() map[string]map[string]harness.Factory {
	return map[string]map[string]harness.Factory{
		"STATE-NETWORK-LOSS": {
			// A job in TRANSIENT_ERROR for another reason than the network
			// is not requeued when the network comes back.
			"other errors not requeued": machineFileMutant(func(b *backend, net harness.NetworkControl) harness.NetworkControl {
				var others []model.GUID
				return netHook{inner: net,
					before: func(connected bool) {
						if connected {
							others = jobsIn(b.Backend, model.BG_JOB_STATE_TRANSIENT_ERROR, model.BG_E_NETWORK_DISCONNECTED)
						}
					},
					post: func(connected bool) {
						if connected {
							onJobs(b.Backend, others, func(j model.Job) { _ = j.Suspend() })
						}
					}}
			}),
			// A QUEUED job is left QUEUED when the network is lost.
			"queued jobs left alone": machineFileMutant(func(b *backend, net harness.NetworkControl) harness.NetworkControl {
				var queued []model.GUID
				return netHook{inner: net,
					before: func(connected bool) {
						if !connected {
							queued = jobsIn(b.Backend, model.BG_JOB_STATE_QUEUED, 0)
							onJobs(b.Backend, queued, func(j model.Job) { _ = j.Suspend() })
						}
					},
					post: func(connected bool) {
						if !connected {
							onJobs(b.Backend, queued, func(j model.Job) { _ = j.Resume() })
						}
					}}
			}),
		},
		"PERSIST-ACTIVE-REQUEUED": {
			// A job TRANSFERRING when the service stopped is SUSPENDED
			// after the restart.
			"active job suspended": machineFileMutant(func(b *backend, net harness.NetworkControl) harness.NetworkControl {
				b.restart = func(inner harness.Backend) error {
					active := jobsIn(inner, model.BG_JOB_STATE_TRANSFERRING, 0)
					if err := inner.Restart(); err != nil {
						return err
					}
					onJobs(inner, active, func(j model.Job) { _ = j.Suspend() })
					return nil
				}
				return net
			}),
		},
		"PERSIST-REDELIVER": {
			// A notification owed at the restart is lost: the command line
			// it would launch is cleared.
			"owed notifications lost": machineFileMutant(func(b *backend, net harness.NetworkControl) harness.NetworkControl {
				b.restart = func(inner harness.Backend) error {
					if err := inner.Restart(); err != nil {
						return err
					}
					adminJobs(inner, func(j model.Job) {
						if p, _, err := j.GetNotifyCmdLine(); err == nil && p != "" {
							if cl, err := j.GetNotifyFlags(); err == nil && cl&model.BG_NOTIFY_JOB_TRANSFERRED == 0 {
								_ = j.SetNotifyCmdLine("", "")
							}
						}
					})
					return nil
				}
				return net
			}),
		},
		"FILE-FIFO": {
			// The files go newest first.
			"newest first": machineFileMutant(func(b *backend, net harness.NetworkControl) harness.NetworkControl {
				b.wrapJob = func(j model.Job, _ harness.App) model.Job { return reversedFiles{j} }
				return net
			}),
		},
		"FILE-ERROR-PROTOCOL": {
			// An SMB remote's error says http.
			"SMB reported as http": machineFileMutant(func(b *backend, net harness.NetworkControl) harness.NetworkControl {
				b.wrapJob = func(j model.Job, _ harness.App) model.Job { return httpErrors{j} }
				return net
			}),
		},
	}
}

// Each rule's file fails on each of its mutants, and passes on the same
// wrapper around the unchanged simulator.
func TestLanguageFilesCatchTheirMutants(t *testing.T) {
	filesCatchTheirMutants(t, langFileMutants(), func() harness.Factory { return machineFileMutant(nil) })
}
