package conformance_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/bitssim/bitssim/harness"
	"github.com/bitssim/bitssim/model"
	"github.com/bitssim/bitssim/sim"
)

// A ruleMutant breaks one named rule of the simulator: its scenario must
// catch it, and so must the state machine alone when the rule is in
// conformance.MachineRules.
type ruleMutant struct {
	rule  string
	apply func(t harness.TB, b *backend)
}

// jobOps overrides more methods of a job than jobFunc.
type jobOps struct {
	*jobFunc
	complete      func() (model.HRESULT, error)
	suspend       func() error
	resume        func() error
	takeOwnership func() error
	setCmdLine    func(program, parameters string) error
}

func (j *jobOps) Complete() (model.HRESULT, error) {
	if j.complete != nil {
		return j.complete()
	}
	return j.Job.Complete()
}

func (j *jobOps) Suspend() error {
	if j.suspend != nil {
		return j.suspend()
	}
	return j.Job.Suspend()
}

func (j *jobOps) Resume() error {
	if j.resume != nil {
		return j.resume()
	}
	return j.Job.Resume()
}

func (j *jobOps) TakeOwnership() error {
	if j.takeOwnership != nil {
		return j.takeOwnership()
	}
	return j.Job.TakeOwnership()
}

func (j *jobOps) SetNotifyCmdLine(program, parameters string) error {
	if j.setCmdLine != nil {
		return j.setCmdLine(program, parameters)
	}
	return j.Job.SetNotifyCmdLine(program, parameters)
}

// ops wraps every job of b with the overrides set makes.
func ops(b *backend, set func(j model.Job, o *jobOps)) {
	b.wrapJob = func(j model.Job, _ harness.App) model.Job {
		o := &jobOps{jobFunc: &jobFunc{Job: j}}
		set(j, o)
		return o
	}
}

// invalidStateOK turns BG_E_INVALID_STATE from call into success.
func invalidStateOK(err error) error {
	if model.HRESULTOf(err) == model.BG_E_INVALID_STATE {
		return nil
	}
	return err
}

// retarget rewrites the trace events that keep returns true for.
func retarget(b *backend, keep func(model.Event) bool, change func(*model.Event)) {
	b.trace = func(evs []model.Event) []model.Event {
		for i := range evs {
			if keep(evs[i]) {
				change(&evs[i])
			}
		}
		return evs
	}
}

// ruleMutants returns the broken simulators, each with the rule it breaks.
func ruleMutants() map[string]ruleMutant {
	return map[string]ruleMutant{
		"SetNotifyInterface(NULL) ignored": {"OBJ-NULL-CLEARS", func(t harness.TB, b *backend) {
			ops(b, func(j model.Job, o *jobOps) {
				o.setNotifyInterface = func(obj any) error {
					if obj == nil {
						return nil
					}
					return j.SetNotifyInterface(obj)
				}
			})
		}},
		"SetNotifyInterface accepted on a final job": {"OBJ-FINAL-STATE", func(t harness.TB, b *backend) {
			ops(b, func(j model.Job, o *jobOps) {
				o.setNotifyInterface = func(obj any) error { return invalidStateOK(j.SetNotifyInterface(obj)) }
			})
		}},
		"SetNotifyFlags accepted on a final job": {"FLAGS-FINAL-STATE", func(t harness.TB, b *backend) {
			ops(b, func(j model.Job, o *jobOps) {
				o.setNotifyFlags = func(f model.NotifyFlags) error { return invalidStateOK(j.SetNotifyFlags(f)) }
			})
		}},
		"SetNotifyCLSID accepted on a final job": {"CLSID-FINAL-STATE", func(t harness.TB, b *backend) {
			ops(b, func(j model.Job, o *jobOps) {
				o.setNotifyCLSID = func(g model.GUID) error { return invalidStateOK(j.SetNotifyCLSID(g)) }
			})
		}},
		"SetNotifyCmdLine accepted on a final job": {"CMD-FINAL-STATE", func(t harness.TB, b *backend) {
			ops(b, func(j model.Job, o *jobOps) {
				o.setCmdLine = func(p, a string) error { return invalidStateOK(j.SetNotifyCmdLine(p, a)) }
			})
		}},
		"invalid flags accepted": {"FLAGS-INVALID-NOTIMPL", func(t harness.TB, b *backend) {
			ops(b, func(j model.Job, o *jobOps) {
				o.setNotifyFlags = func(f model.NotifyFlags) error {
					if err := j.SetNotifyFlags(f); model.HRESULTOf(err) != model.E_NOTIMPL {
						return err
					}
					return nil
				}
			})
		}},
		"FILE_TRANSFERRED flag dropped": {"FLAGS-FILTER", func(t harness.TB, b *backend) {
			ops(b, func(j model.Job, o *jobOps) {
				o.setNotifyFlags = func(f model.NotifyFlags) error {
					return j.SetNotifyFlags(f &^ model.BG_NOTIFY_FILE_TRANSFERRED)
				}
			})
		}},
		"GetNotifyFlags reports the default": {"FLAGS-ROUND-TRIP", func(t harness.TB, b *backend) {
			ops(b, func(j model.Job, o *jobOps) {
				o.getNotifyFlags = func() (model.NotifyFlags, error) {
					return model.BG_NOTIFY_JOB_TRANSFERRED | model.BG_NOTIFY_JOB_ERROR, nil
				}
			})
		}},
		"Complete leaves the job TRANSFERRED": {"STATE-COMPLETE-DOWNLOAD", func(t harness.TB, b *backend) {
			ops(b, func(j model.Job, o *jobOps) {
				o.complete = func() (model.HRESULT, error) {
					if st, _ := j.GetState(); st == model.BG_JOB_STATE_TRANSFERRED {
						return model.S_OK, nil
					}
					return j.Complete()
				}
			})
		}},
		"Suspend does nothing": {"STATE-SUSPEND", func(t harness.TB, b *backend) {
			ops(b, func(j model.Job, o *jobOps) {
				o.suspend = func() error {
					if st, _ := j.GetState(); st.IsFinal() {
						return j.Suspend()
					}
					return nil
				}
			})
		}},
		"Cancel does nothing": {"STATE-CANCEL", func(t harness.TB, b *backend) {
			ops(b, func(j model.Job, o *jobOps) {
				o.cancel = func() error {
					if st, _ := j.GetState(); st.IsFinal() {
						return j.Cancel()
					}
					return nil
				}
			})
		}},
		"Resume accepted on a final job": {"STATE-FINAL-IMMUTABLE", func(t harness.TB, b *backend) {
			ops(b, func(j model.Job, o *jobOps) {
				o.resume = func() error { return invalidStateOK(j.Resume()) }
			})
		}},
		"TakeOwnership keeps the command line": {"SEC-TAKEOWNERSHIP-REMOVES-CMDLINE", func(t harness.TB, b *backend) {
			ops(b, func(j model.Job, o *jobOps) {
				o.takeOwnership = func() error {
					p, a, _ := j.GetNotifyCmdLine()
					if err := j.TakeOwnership(); err != nil {
						return err
					}
					if p != "" {
						return j.SetNotifyCmdLine(p, a)
					}
					return nil
				}
			})
		}},
		"an object is ignored while a CLSID is set": {"PREC-OBJECT-FIRST", func(t harness.TB, b *backend) {
			ops(b, func(j model.Job, o *jobOps) {
				o.setNotifyInterface = func(obj any) error {
					if g, _ := j.GetNotifyCLSID(); !g.IsNull() && obj != nil {
						return nil
					}
					return j.SetNotifyInterface(obj)
				}
			})
		}},
		"setting a command line clears the callbacks": {"PREC-CMDLINE-LAST", func(t harness.TB, b *backend) {
			ops(b, func(j model.Job, o *jobOps) {
				o.setCmdLine = func(p, a string) error {
					if err := j.SetNotifyCmdLine(p, a); err != nil || p == "" {
						return err
					}
					_ = j.SetNotifyCLSID(model.GUID_NULL)
					return j.SetNotifyInterface(nil)
				}
			})
		}},
		"a restart resets the flags": {"PERSIST-FLAGS-KEPT", func(t harness.TB, b *backend) {
			b.restart = func(inner harness.Backend) error {
				if err := inner.Restart(); err != nil {
					return err
				}
				adminJobs(inner, func(j model.Job) {
					_ = j.SetNotifyFlags(model.BG_NOTIFY_JOB_TRANSFERRED | model.BG_NOTIFY_JOB_ERROR)
				})
				return nil
			}
		}},
		"a restart drops the command line": {"PERSIST-CMDLINE-KEPT", func(t harness.TB, b *backend) {
			b.restart = func(inner harness.Backend) error {
				if err := inner.Restart(); err != nil {
					return err
				}
				adminJobs(inner, func(j model.Job) { _ = j.SetNotifyCmdLine("", "") })
				return nil
			}
		}},
		"a restart cancels suspended jobs": {"PERSIST-JOBS", func(t harness.TB, b *backend) {
			b.restart = func(inner harness.Backend) error {
				if err := inner.Restart(); err != nil {
					return err
				}
				adminJobs(inner, func(j model.Job) {
					if st, _ := j.GetState(); st == model.BG_JOB_STATE_SUSPENDED {
						_ = j.Cancel()
					}
				})
				return nil
			}
		}},
		"callbacks run as LocalSystem": {"DELIV-REGISTRANT-CONTEXT", func(t harness.TB, b *backend) {
			retarget(b, func(e model.Event) bool { return e.Target.Kind == model.TargetObject },
				func(e *model.Event) { e.User = "LocalSystem" })
		}},
		"CLSID instances run as LocalSystem": {"CLSID-OWNER-CONTEXT", func(t harness.TB, b *backend) {
			retarget(b, func(e model.Event) bool { return e.Target.Kind == model.TargetCLSID },
				func(e *model.Event) { e.User = "LocalSystem" })
		}},
		"command lines run as LocalSystem": {"CMD-USER-CONTEXT", func(t harness.TB, b *backend) {
			retarget(b, func(e model.Event) bool { return e.Kind == model.EventCommandLine },
				func(e *model.Event) { e.User = "LocalSystem" })
		}},
		"a new CLSID instance for every call": {"CLSID-INSTANCE-REUSED", func(t harness.TB, b *backend) {
			b.trace = func(evs []model.Event) []model.Event {
				n := map[model.GUID]int{}
				for i := range evs {
					if evs[i].Target.Kind == model.TargetCLSID {
						n[evs[i].Target.CLSID]++
						evs[i].Target.Instance = n[evs[i].Target.CLSID]
					}
				}
				return evs
			}
		}},
		"S_FALSE counts as a failure": {"DELIV-SFALSE-SUCCESS", func(t harness.TB, b *backend) {
			b.wrapApp = func(a harness.App) harness.App { return &sfalseFails{App: a} }
		}},
		"Exit leaves the registrations": {"OBJ-CLEAR-BEFORE-EXIT", func(t harness.TB, b *backend) {
			b.wrapApp = func(a harness.App) harness.App { return &exitIsCrash{App: a} }
		}},
		"GetNotifyCLSID returns NULL": {"CLSID-GET-ROUND-TRIP", func(t harness.TB, b *backend) {
			b.wrapJob = func(j model.Job, _ harness.App) model.Job { return &nullCLSID{Job: j} }
		}},
		"a default command line": {"CMD-DEFAULT-EMPTY", func(t harness.TB, b *backend) {
			b.wrapJob = func(j model.Job, _ harness.App) model.Job { return &defaultCmdLine{Job: j} }
		}},
		"FileTransferred names no file": {"DELIV-FILE-SERIALIZED", func(t harness.TB, b *backend) {
			retarget(b, func(e model.Event) bool { return e.Kind == model.EventFileTransferred },
				func(e *model.Event) { e.File = "" })
		}},
	}
}

// sfalseFails makes the app's objects turn S_FALSE into E_FAIL, as a
// backend that counts S_FALSE as a failure would see it.
type sfalseFails struct{ harness.App }

func (a *sfalseFails) Callback(b harness.Behavior) model.Callback {
	for k, hr := range b.Results {
		if hr == model.S_FALSE {
			rs := map[model.EventKind]model.HRESULT{}
			for k2, v := range b.Results {
				rs[k2] = v
			}
			rs[k] = model.E_FAIL
			b.Results = rs
		}
	}
	return a.App.Callback(b)
}

// exitIsCrash ends the app without clearing its registrations.
type exitIsCrash struct{ harness.App }

func (a *exitIsCrash) Exit() error { return a.App.Crash() }

type nullCLSID struct{ model.Job }

func (j *nullCLSID) GetNotifyCLSID() (model.GUID, error) { return model.GUID_NULL, nil }

// defaultCmdLine reports a program on a job that has none.
type defaultCmdLine struct{ model.Job }

func (j *defaultCmdLine) GetNotifyCmdLine() (string, string, error) {
	p, a, err := j.Job.GetNotifyCmdLine()
	if err == nil && p == "" {
		return `C:\Windows\notify.exe`, "", nil
	}
	return p, a, err
}

// Each mutant of ruleMutants() is caught by the scenario of the rule it
// names and, where that rule is in MachineRules, by the state machine alone.
func TestRuleMutantsCaughtByBothHalves(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the rule's scenario and the state machine once per mutant")
	}
	quietRapid(t)
	ms := ruleMutants()
	for _, name := range sortedKeys(ms) {
		m := ms[name]
		t.Run(name, func(t *testing.T) {
			mk := func(t harness.TB) harness.Backend {
				b := &backend{Backend: harness.SimFactory(sim.Options{Seed: 7})(t)}
				m.apply(t, b)
				return b
			}
			assertCaughtByBothHalves(t, name, m.rule, mk)
		})
	}
}

// Together with the mutants of mutants_test.go, at least 40.
func TestAtLeastFortyHandWrittenMutants(t *testing.T) {
	assert.GreaterOrEqual(t, len(mutants())+len(ruleMutants()), 40)
}
