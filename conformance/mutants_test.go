package conformance_test

import (
	"flag"
	"slices"
	"sort"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitssim/bitssim/conformance"
	"github.com/bitssim/bitssim/harness"
	"github.com/bitssim/bitssim/model"
	"github.com/bitssim/bitssim/rules"
	"github.com/bitssim/bitssim/sim"
)

// A mutant is the simulator with one rule broken. Each wraps the sim
// backend and changes what one call does, or what the receivers observe.
type mutant struct {
	backend // the sim, and the overrides below
	breaks  string
}

// backend is a harness.Backend whose apps and jobs can be wrapped.
type backend struct {
	harness.Backend
	wrapJob func(j model.Job, app harness.App) model.Job
	wrapApp func(a harness.App) harness.App
	restart func(b harness.Backend) error
	trace   func(evs []model.Event) []model.Event
	remote  func(k harness.RemoteKind) harness.RemoteKind
	mu      sync.Mutex
	extra   map[string]any
}

func (b *backend) StartApp(name string, user model.Account) (harness.App, error) {
	a, err := b.Backend.StartApp(name, user)
	if err != nil {
		return nil, err
	}
	wa := &app{App: a, b: b}
	if b.wrapApp != nil {
		return b.wrapApp(wa), nil
	}
	return wa, nil
}

func (b *backend) Restart() error {
	if b.restart != nil {
		return b.restart(b.Backend)
	}
	return b.Backend.Restart()
}

func (b *backend) Trace() []model.Event {
	evs := b.Backend.Trace()
	if b.trace != nil {
		return b.trace(evs)
	}
	return evs
}

func (b *backend) Remote(k harness.RemoteKind, size uint64) (string, error) {
	if b.remote != nil {
		k = b.remote(k)
	}
	return b.Backend.Remote(k, size)
}

type app struct {
	harness.App
	b *backend
}

func (a *app) wrap(j model.Job, err error) (model.Job, error) {
	if err != nil || a.b.wrapJob == nil {
		return j, err
	}
	return a.b.wrapJob(j, a), nil
}

func (a *app) CreateJob(name string, t model.JobType) (model.Job, error) {
	return a.wrap(a.App.CreateJob(name, t))
}

func (a *app) GetJob(id model.GUID) (model.Job, error) { return a.wrap(a.App.GetJob(id)) }

func (a *app) EnumJobs(f model.EnumJobsFlags) ([]model.Job, error) {
	js, err := a.App.EnumJobs(f)
	if err != nil || a.b.wrapJob == nil {
		return js, err
	}
	for i := range js {
		js[i] = a.b.wrapJob(js[i], a)
	}
	return js, nil
}

// jobFunc overrides single methods of a job.
type jobFunc struct {
	model.Job
	setNotifyInterface func(obj any) error
	setNotifyFlags     func(f model.NotifyFlags) error
	getNotifyFlags     func() (model.NotifyFlags, error)
	setNotifyCLSID     func(g model.GUID) error
	cancel             func() error
}

func (j *jobFunc) SetNotifyInterface(obj any) error {
	if j.setNotifyInterface != nil {
		return j.setNotifyInterface(obj)
	}
	return j.Job.SetNotifyInterface(obj)
}

func (j *jobFunc) SetNotifyFlags(f model.NotifyFlags) error {
	if j.setNotifyFlags != nil {
		return j.setNotifyFlags(f)
	}
	return j.Job.SetNotifyFlags(f)
}

func (j *jobFunc) GetNotifyFlags() (model.NotifyFlags, error) {
	if j.getNotifyFlags != nil {
		return j.getNotifyFlags()
	}
	return j.Job.GetNotifyFlags()
}

func (j *jobFunc) SetNotifyCLSID(g model.GUID) error {
	if j.setNotifyCLSID != nil {
		return j.setNotifyCLSID(g)
	}
	return j.Job.SetNotifyCLSID(g)
}

func (j *jobFunc) Cancel() error {
	if j.cancel != nil {
		return j.cancel()
	}
	return j.Job.Cancel()
}

// adminJobs calls f on every job through a temporary administrator app.
func adminJobs(b harness.Backend, f func(model.Job)) {
	a, err := b.StartApp("mutant-admin", conformance.Admin)
	if err != nil {
		return
	}
	defer a.Exit()
	js, _ := a.EnumJobs(model.BG_JOB_ENUM_ALL_USERS)
	for _, j := range js {
		f(j)
	}
}

// mutants returns the broken simulators, each with the rule it breaks.
func mutants() map[string]func(t harness.TB) harness.Backend {
	simB := func(t harness.TB, opts sim.Options) harness.Backend { return harness.SimFactory(opts)(t) }
	ms := map[string]func(t harness.TB, b *backend){
		// The first object registered keeps the notifications.
		"first writer wins (object)": func(t harness.TB, b *backend) {
			b.wrapJob = func(j model.Job, _ harness.App) model.Job {
				return &jobFunc{Job: j, setNotifyInterface: func(obj any) error {
					if cur, _ := j.GetNotifyInterface(); cur != nil && obj != nil {
						return nil
					}
					return j.SetNotifyInterface(obj)
				}}
			}
		},
		// The first CLSID set keeps the notifications.
		"first writer wins (CLSID)": func(t harness.TB, b *backend) {
			b.wrapJob = func(j model.Job, _ harness.App) model.Job {
				return &jobFunc{Job: j, setNotifyCLSID: func(g model.GUID) error {
					if cur, _ := j.GetNotifyCLSID(); !cur.IsNull() && !g.IsNull() {
						return nil
					}
					return j.SetNotifyCLSID(g)
				}}
			}
		},
		// The CLSID does not survive a restart.
		"CLSID lost on restart": func(t harness.TB, b *backend) {
			b.restart = func(inner harness.Backend) error {
				if err := inner.Restart(); err != nil {
					return err
				}
				adminJobs(inner, func(j model.Job) { _ = j.SetNotifyCLSID(model.GUID_NULL) })
				return nil
			}
		},
		// Callback objects survive a restart.
		"object kept across restart": func(t harness.TB, b *backend) {
			type reg struct {
				app harness.App
				obj any
			}
			regs := map[model.GUID]reg{}
			b.wrapJob = func(j model.Job, a harness.App) model.Job {
				return &jobFunc{Job: j, setNotifyInterface: func(obj any) error {
					err := j.SetNotifyInterface(obj)
					if err == nil {
						b.mu.Lock()
						regs[j.GetId()] = reg{a, obj}
						b.mu.Unlock()
					}
					return err
				}}
			}
			b.restart = func(inner harness.Backend) error {
				if err := inner.Restart(); err != nil {
					return err
				}
				b.mu.Lock()
				defer b.mu.Unlock()
				for id, r := range regs {
					if j, err := r.app.GetJob(id); err == nil && r.obj != nil {
						_ = j.(*jobFunc).Job.SetNotifyInterface(r.obj)
					}
				}
				return nil
			}
		},
		// When the object's app dies BITS does not fall back to the CLSID.
		"no fallback to the CLSID": func(t harness.TB, b *backend) {
			b.wrapApp = func(a harness.App) harness.App { return &crashNoFallback{App: a, b: b.Backend} }
		},
		// DISABLE is ignored: the other flags still deliver.
		"DISABLE ignored": func(t harness.TB, b *backend) {
			flags := map[model.GUID]model.NotifyFlags{}
			b.wrapJob = func(j model.Job, _ harness.App) model.Job {
				return &jobFunc{Job: j,
					setNotifyFlags: func(f model.NotifyFlags) error {
						err := j.SetNotifyFlags(f &^ model.BG_NOTIFY_DISABLE)
						if err == nil {
							b.mu.Lock()
							flags[j.GetId()] = f
							b.mu.Unlock()
						}
						return err
					},
					getNotifyFlags: func() (model.NotifyFlags, error) {
						b.mu.Lock()
						f, ok := flags[j.GetId()]
						b.mu.Unlock()
						if ok {
							return f, nil
						}
						return j.GetNotifyFlags()
					}}
			}
		},
		// A transient error ends the job in ERROR with JobError.
		"JobError on a transient error": func(t harness.TB, b *backend) {
			b.remote = func(k harness.RemoteKind) harness.RemoteKind {
				if k == harness.RemoteTransient {
					return harness.RemoteFatal
				}
				return k
			}
		},
		// The command line runs although the callback succeeded.
		"command line run although the callback succeeded": func(t harness.TB, b *backend) {
			b.trace = func(evs []model.Event) []model.Event {
				var out []model.Event
				cmds := map[model.GUID]model.Event{}
				for _, e := range evs {
					if e.Kind == model.EventCommandLine {
						cmds[e.Job] = e
					}
				}
				for _, e := range evs {
					out = append(out, e)
					if c, ok := cmds[e.Job]; ok && e.Delivered() && e.Kind == model.EventJobTransferred {
						out = append(out, c)
					}
				}
				return out
			}
		},
		// FileTransferred arrives after JobTransferred.
		"FileTransferred after JobTransferred": func(t harness.TB, b *backend) {
			b.trace = func(evs []model.Event) []model.Event {
				// A job's FileTransferred calls move to after its
				// JobTransferred; the events are then renumbered.
				jt := map[model.GUID]int{}
				for i, e := range evs {
					if _, seen := jt[e.Job]; !seen && e.Kind == model.EventJobTransferred {
						jt[e.Job] = i
					}
				}
				var out []model.Event
				held := map[int][]model.Event{}
				for i, e := range evs {
					if at, ok := jt[e.Job]; ok && e.Kind == model.EventFileTransferred && i < at {
						held[at] = append(held[at], e)
						continue
					}
					out = append(out, e)
					out = append(out, held[i]...)
				}
				for i := range out {
					out[i].Seq = uint64(i + 1)
				}
				return out
			}
		},
		// Registering again after JobTransferred delivers nothing.
		"no redelivery on re-registration": func(t harness.TB, b *backend) {
			b.wrapJob = func(j model.Job, _ harness.App) model.Job {
				return &jobFunc{Job: j, setNotifyInterface: func(obj any) error {
					if st, _ := j.GetState(); st == model.BG_JOB_STATE_TRANSFERRED {
						if cb, ok := obj.(model.Callback); ok {
							obj = &swallowFirst{Callback: cb}
						}
					}
					return j.SetNotifyInterface(obj)
				}}
			}
		},
		// Invalid flags give E_INVALIDARG instead of E_NOTIMPL.
		"E_INVALIDARG for bad flags": func(t harness.TB, b *backend) {
			b.wrapJob = func(j model.Job, _ harness.App) model.Job {
				return &jobFunc{Job: j, setNotifyFlags: func(f model.NotifyFlags) error {
					err := j.SetNotifyFlags(f)
					if model.HRESULTOf(err) == model.E_NOTIMPL {
						return model.E_INVALIDARG
					}
					return err
				}}
			}
		},
		// New jobs notify only JobTransferred.
		"wrong default flags": func(t harness.TB, b *backend) {
			b.wrapApp = func(a harness.App) harness.App { return &defaultFlags{App: a} }
		},
		// Cancelling a cancelled job succeeds.
		"final state accepts Cancel": func(t harness.TB, b *backend) {
			b.wrapJob = func(j model.Job, _ harness.App) model.Job {
				return &jobFunc{Job: j, cancel: func() error {
					if st, _ := j.GetState(); st == model.BG_JOB_STATE_CANCELLED {
						return nil
					}
					return j.Cancel()
				}}
			}
		},
	}
	out := map[string]func(t harness.TB) harness.Backend{}
	for name, mod := range ms {
		out[name] = func(t harness.TB) harness.Backend {
			b := &backend{Backend: simB(t, sim.Options{Seed: 7})}
			mod(t, b)
			return b
		}
	}
	// The limits are not enforced.
	out["limits not enforced"] = func(t harness.TB) harness.Backend {
		return simB(t, sim.Options{Seed: 7, Limits: &rules.Limits{}})
	}
	return out
}

// crashNoFallback clears the CLSID of the app's jobs when it crashes, so
// BITS has nothing to fall back to.
type crashNoFallback struct {
	harness.App
	b harness.Backend
}

func (a *crashNoFallback) Crash() error {
	adminJobs(a.b, func(j model.Job) { _ = j.SetNotifyCLSID(model.GUID_NULL) })
	return a.App.Crash()
}

// defaultFlags gives new jobs JOB_TRANSFERRED only.
type defaultFlags struct{ harness.App }

func (a *defaultFlags) CreateJob(name string, t model.JobType) (model.Job, error) {
	j, err := a.App.CreateJob(name, t)
	if err == nil {
		_ = j.SetNotifyFlags(model.BG_NOTIFY_JOB_TRANSFERRED)
	}
	return j, err
}

// swallowFirst drops the first JobTransferred.
type swallowFirst struct {
	model.Callback
	once sync.Once
}

func (s *swallowFirst) JobTransferred(j model.Job) error {
	first := false
	s.once.Do(func() { first = true })
	if first {
		return nil
	}
	return s.Callback.JobTransferred(j)
}

func TestSuiteCatchesEveryMutant(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the suite once per mutant")
	}
	quietRapid(t)
	ms := mutants()
	require.GreaterOrEqual(t, len(ms), 12)
	// A mutant is caught by a rule that fails for it and passes for the
	// real simulator.
	baseline := map[string]bool{}
	for _, r := range conformance.Check(t, harness.SimFactory(sim.Options{Seed: 7}), conformance.WithoutStateMachine()).Results {
		baseline[r.Rule] = r.Outcome == conformance.Fail
	}
	for name, mk := range ms {
		t.Run(name, func(t *testing.T) {
			rep := conformance.Check(t, harness.Factory(mk), conformance.WithoutStateMachine())
			var caught []string
			for _, r := range rep.Results {
				if r.Outcome == conformance.Fail && !baseline[r.Rule] {
					caught = append(caught, r.Rule)
				}
			}
			if len(caught) == 0 {
				failed, _ := conformance.CheckMachine(t, harness.Factory(mk), 30)
				assert.True(t, failed, "neither the scenarios nor the state machine caught %q", name)
				return
			}
			t.Logf("caught by %v", caught)
		})
	}
}

// The mutants must not be caught for the wrong reason: the real simulator
// passes every scenario.
func TestSimPassesCheck(t *testing.T) {
	rep := conformance.Check(t, harness.SimFactory(sim.Options{Seed: 7}), conformance.WithoutStateMachine())
	for _, r := range rep.Results {
		assert.NotEqual(t, conformance.Fail, r.Outcome, "%s: %s", r.Rule, r.Detail)
	}
}

// mutantRules names the rule each mutant of mutants() breaks.
var mutantRules = map[string]string{
	"first writer wins (object)":                       "OBJ-LAST-WRITER-WINS",
	"first writer wins (CLSID)":                        "CLSID-LAST-WRITER-WINS",
	"CLSID lost on restart":                            "CLSID-PERSISTED",
	"object kept across restart":                       "OBJ-NOT-PERSISTED",
	"no fallback to the CLSID":                         "PREC-FALLBACK-DISCONNECTED",
	"DISABLE ignored":                                  "FLAGS-DISABLE",
	"JobError on a transient error":                    "STATE-TRANSIENT-RETRY",
	"command line run although the callback succeeded": "CMD-ONLY-IF-NOT-DELIVERED",
	"FileTransferred after JobTransferred":             "DELIV-FILE-BEFORE-JOB",
	"no redelivery on re-registration":                 "DELIV-AFTER-REGISTRATION",
	"E_INVALIDARG for bad flags":                       "FLAGS-INVALID-NOTIMPL",
	"wrong default flags":                              "FLAGS-DEFAULT",
	"final state accepts Cancel":                       "STATE-CANCEL",
	"limits not enforced":                              "LIMIT-JOBS-PER-USER",
}

// Each mutant of mutants() is caught by the scenario of the rule it
// breaks, and, where that rule is in MachineRules, by the state machine
// alone, as the mutants of ruleMutants() are.
func TestMutantsCaughtByBothHalves(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the rule's scenario and the state machine once per mutant")
	}
	quietRapid(t)
	ms := mutants()
	require.Len(t, mutantRules, len(ms), "every mutant names its rule")
	for _, name := range sortedKeys(ms) {
		rule, ok := mutantRules[name]
		require.True(t, ok, "mutant %q names no rule", name)
		t.Run(name, func(t *testing.T) {
			assertCaughtByBothHalves(t, name, rule, harness.Factory(ms[name]))
		})
	}
}

// quietRapid keeps the state machine's runs on mutants from writing fail
// files (a mutant's failure is the expected outcome, not a regression to
// replay) and bounds their shrinking, for the rest of the test.
func quietRapid(t *testing.T) {
	t.Helper()
	for _, f := range []struct{ name, value string }{{"rapid.nofailfile", "true"}, {"rapid.shrinktime", "1s"}} {
		old := flag.Lookup(f.name).Value.String()
		require.NoError(t, flag.Set(f.name, f.value))
		t.Cleanup(func() { _ = flag.Set(f.name, old) })
	}
}

// assertCaughtByBothHalves checks that the scenario of rule fails on the
// backend mk builds (the mutant called name) and, when rule is one of
// MachineRules, that the state machine alone fails on it too.
func assertCaughtByBothHalves(t *testing.T, name, rule string, mk harness.Factory) {
	t.Helper()
	rep := conformance.Check(t, mk, conformance.WithRules(rule), conformance.WithoutStateMachine())
	var outcome conformance.Outcome
	for _, r := range rep.Results {
		if r.Rule == rule {
			outcome = r.Outcome
		}
	}
	assert.Equal(t, conformance.Fail, outcome, "the scenario of %s does not catch %q", rule, name)
	if slices.Contains(conformance.MachineRules(), rule) {
		failed, _ := conformance.CheckMachine(t, mk, 50)
		assert.True(t, failed, "%s is in MachineRules, but the state machine alone does not catch %q", rule, name)
	}
}

// sortedKeys returns m's keys in order, so the subtests run in the same
// order every time.
func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
