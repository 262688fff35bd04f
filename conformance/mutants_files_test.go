package conformance_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitssim/bitssim/conformance"
	"github.com/bitssim/bitssim/harness"
	"github.com/bitssim/bitssim/model"
	"github.com/bitssim/bitssim/rules"
	"github.com/bitssim/bitssim/sim"
)

// Mutants of the rules whose only check is a scenario file that reads
// what a notification carried, a getter's failure, or a job's secrets
// (issue 14, part B). Each breaks what its rule's statement says, and the
// rule's file must fail on it; the same wrapper without a change passes.

// scriptedMutant is a mutant backend that keeps the simulator's scripted
// remotes and programs and its clock, which the files need (rate=, at),
// and declares the readings sel, as a simulator does: a mutant whose
// behaviour is another reading's, hidden under sel, breaks the file
// written for sel.
type scriptedMutant struct {
	*backend
	harness.RemoteScripter
	harness.ProgramScripter
	harness.Clock
	sel rules.Selection
}

// Variants returns the readings the mutant claims to follow.
func (m *scriptedMutant) Variants() rules.Selection { return m.sel }

// fileMutant builds a scriptedMutant over a simulator with opts (whose
// variants it hides, declaring declared instead), changed by change.
func fileMutant(opts sim.Options, declared rules.Selection, change func(b *backend)) harness.Factory {
	return func(t harness.TB) harness.Backend {
		inner := harness.SimFactory(opts)(t)
		sb, ok := inner.(*harness.SimBackend)
		if !ok {
			t.Fatalf("harness.SimFactory made a %T", inner)
		}
		b := &backend{Backend: inner}
		if change != nil {
			change(b)
		}
		return &scriptedMutant{backend: b, RemoteScripter: sb, ProgramScripter: sb, Clock: sb, sel: declared}
	}
}

// hookJob overrides single methods of a job, and keeps its HTTP options
// and credentials.
type hookJob struct {
	model.Job
	getState         func() (model.JobState, error)
	setProperty      func(id model.JobPropertyID, v model.JobPropertyValue) error
	takeOwnership    func() error
	setCustomHeaders func(h string) error
}

func (j *hookJob) GetState() (model.JobState, error) {
	if j.getState != nil {
		return j.getState()
	}
	return j.Job.GetState()
}

func (j *hookJob) SetProperty(id model.JobPropertyID, v model.JobPropertyValue) error {
	if j.setProperty != nil {
		return j.setProperty(id, v)
	}
	return j.Job.SetProperty(id, v)
}

func (j *hookJob) TakeOwnership() error {
	if j.takeOwnership != nil {
		return j.takeOwnership()
	}
	return j.Job.TakeOwnership()
}

func (j *hookJob) opts() model.JobHTTPOptions { return j.Job.(model.JobHTTPOptions) }

func (j *hookJob) SetCustomHeaders(h string) error {
	if j.setCustomHeaders != nil {
		return j.setCustomHeaders(h)
	}
	return j.opts().SetCustomHeaders(h)
}

func (j *hookJob) GetCustomHeaders() (string, error) { return j.opts().GetCustomHeaders() }

func (j *hookJob) SetClientCertificateByName(l model.CertStoreLocation, store, subject string) error {
	return j.opts().SetClientCertificateByName(l, store, subject)
}

func (j *hookJob) GetClientCertificate() (model.ClientCertificate, error) {
	return j.opts().GetClientCertificate()
}

func (j *hookJob) RemoveClientCertificate() error { return j.opts().RemoveClientCertificate() }

func (j *hookJob) SetCredentials(c model.Credentials) error {
	return j.Job.(model.JobCredentials).SetCredentials(c)
}

func (j *hookJob) RemoveCredentials(t model.AuthTarget, s model.AuthScheme) (model.HRESULT, error) {
	return j.Job.(model.JobCredentials).RemoveCredentials(t, s)
}

// mapTrace changes every event of the trace with f.
func mapTrace(f func(e model.Event) model.Event) func([]model.Event) []model.Event {
	return func(evs []model.Event) []model.Event {
		out := make([]model.Event, len(evs))
		for i, e := range evs {
			out[i] = f(e)
		}
		return out
	}
}

// fileMutants returns, per rule, the mutants its scenario file must catch.
func fileMutants() map[string]map[string]harness.Factory {
	seed := sim.Options{Seed: 7}
	hook := func(h func(j *hookJob)) func(b *backend) {
		return func(b *backend) {
			b.wrapJob = func(j model.Job, _ harness.App) model.Job {
				hj := &hookJob{Job: j}
				h(hj)
				return hj
			}
		}
	}
	return map[string]map[string]harness.Factory{
		"CMD-NO-SHELL": {
			// The parameters went through a shell: %SystemRoot% expanded.
			"environment variables expanded": fileMutant(seed, nil, func(b *backend) {
				b.trace = mapTrace(func(e model.Event) model.Event {
					if e.Kind == model.EventCommandLine {
						e.Target.Parameters = strings.ReplaceAll(e.Target.Parameters, "%SystemRoot%", `C:\Windows`)
					}
					return e
				})
			}),
		},
		"DELIV-RANGES-REPORTED": {
			// A call reports the whole span of its ranges, bytes reported
			// before included.
			"bytes reported twice": fileMutant(seed, nil, func(b *backend) {
				b.trace = mapTrace(func(e model.Event) model.Event {
					if n := len(e.Ranges); n > 1 {
						first, last := e.Ranges[0], e.Ranges[n-1]
						e.Ranges = []model.FileRange{{InitialOffset: first.InitialOffset, Length: last.InitialOffset + last.Length - first.InitialOffset}}
					}
					return e
				})
			}),
		},
		"DELIV-RANGES-INTERVAL": {
			// Not paced, while claiming the paced reading.
			"calls not paced": fileMutant(sim.Options{Seed: 7, Variants: rules.Selection{"DELIV-RANGES-INTERVAL": rules.VarNotPaced}}, nil, nil),
			// Every call after the first loses its ranges.
			"ranges lost": fileMutant(seed, nil, func(b *backend) {
				b.trace = func(evs []model.Event) []model.Event {
					out := make([]model.Event, len(evs))
					seen := false
					for i, e := range evs {
						if e.Kind == model.EventFileRangesTransferred {
							if seen {
								e.Ranges = nil
							}
							seen = true
						}
						out[i] = e
					}
					return out
				}
			}),
		},
		"DELIV-MODIFICATION-RATE": {
			// The interval is never applied: 1 ms whatever is set.
			"interval ignored": fileMutant(seed, nil, hook(func(j *hookJob) {
				_ = j.Job.SetProperty(model.BITS_JOB_PROPERTY_MINIMUM_NOTIFICATION_INTERVAL_MS, model.JobPropertyValue{DWORD: 1})
				j.setProperty = func(id model.JobPropertyID, v model.JobPropertyValue) error {
					if id == model.BITS_JOB_PROPERTY_MINIMUM_NOTIFICATION_INTERVAL_MS {
						return nil
					}
					return j.Job.SetProperty(id, v)
				}
			})),
			// The other reading, while claiming the default.
			"interval from the first modification": fileMutant(sim.Options{Seed: 7, Variants: rules.Selection{
				"DELIV-MODIFICATION-RATE": rules.VarFromFirstModification}}, nil, nil),
		},
		"LIMIT-CUSTOM-HEADERS": {
			// The limit counted in UTF-8 bytes, not characters.
			"length in bytes": fileMutant(seed, nil, hook(func(j *hookJob) {
				j.setCustomHeaders = func(h string) error {
					if len(h) > 16383 {
						return model.BG_E_STRING_TOO_LONG
					}
					return j.opts().SetCustomHeaders(h)
				}
			})),
			// Too long, and the previous headers lost.
			"previous headers lost": fileMutant(seed, nil, hook(func(j *hookJob) {
				j.setCustomHeaders = func(h string) error {
					err := j.opts().SetCustomHeaders(h)
					if err != nil {
						_ = j.opts().SetCustomHeaders("")
					}
					return err
				}
			})),
		},
		"SEC-TAKEOWNERSHIP-REMOVES-SECRETS": {
			// TakeOwnership keeps the custom headers: they are set again
			// for the new owner.
			"headers kept": func(t harness.TB) harness.Backend {
				set := map[model.GUID]string{} // the headers each job was given
				return fileMutant(seed, nil, hook(func(j *hookJob) {
					j.setCustomHeaders = func(h string) error {
						err := j.opts().SetCustomHeaders(h)
						if err == nil {
							set[j.GetId()] = h
						}
						return err
					}
					j.takeOwnership = func() error {
						if err := j.Job.TakeOwnership(); err != nil {
							return err
						}
						return j.opts().SetCustomHeaders(set[j.GetId()])
					}
				}))(t)
			},
		},
		"SEC-OWNER-ONLY": {
			// A non-owner reads the state, under the all-denied reading.
			"state readable": fileMutant(seed, nil, hook(func(j *hookJob) {
				j.getState = func() (model.JobState, error) {
					s, err := j.Job.GetState()
					if err != nil {
						return model.BG_JOB_STATE_SUSPENDED, nil
					}
					return s, nil
				}
			})),
		},
	}
}

// Each rule's file fails on each of its mutants, and passes on the same
// wrapper around the unchanged simulator.
func TestScenarioFilesCatchTheirMutants(t *testing.T) {
	filesCatchTheirMutants(t, fileMutants(), func() harness.Factory { return fileMutant(sim.Options{Seed: 7}, nil, nil) })
}

// filesCatchTheirMutants checks, for each rule of mutants, that its
// scenario files pass on unchanged() (the mutants' wrapper around the
// unchanged simulator) and fail on each of its mutants.
func filesCatchTheirMutants(t *testing.T, mutants map[string]map[string]harness.Factory, unchanged func() harness.Factory) {
	for rule, ms := range mutants {
		require.NotEmpty(t, conformance.ScenarioFiles(rule), "%s is checked by a file", rule)
		outcome := func(mk harness.Factory) (conformance.Outcome, string) {
			rep := conformance.Check(t, mk, conformance.WithRules(rule), conformance.WithoutStateMachine())
			for _, r := range rep.Results {
				if r.Rule == rule {
					return r.Outcome, r.Detail
				}
			}
			return "", "no result"
		}
		t.Run(rule, func(t *testing.T) {
			got, detail := outcome(unchanged())
			require.Equal(t, conformance.Pass, got, "the unchanged simulator behind the wrapper: %s", detail)
			for name, mk := range ms {
				got, detail := outcome(mk)
				assert.Equal(t, conformance.Fail, got, "%s: %s", name, detail)
			}
		})
	}
}
