package scenario

import (
	"time"

	"github.com/bitssim/bitssim/model"
)

// JSONResult is the JSON form of a Result: what `bitssim run --format
// json` prints (an array of them) and `--format jsonl` prints (one per
// line). Field names are lowerCamelCase; kinds, states and HRESULTs are
// strings; times are offsets from the start of the run, written as Go
// durations ("0s", "10m0s") with the same offset in seconds beside them.
type JSONResult struct {
	File    string `json:"file"`
	Version string `json:"version"`
	// Variants maps rule ID → the reading of an open rule the run
	// followed, for those not at their default.
	Variants map[string]string `json:"variants,omitempty"`
	// Backend names the backend the script ran on: "sim", "wine",
	// "windows".
	Backend string `json:"backend,omitempty"`
	// Skipped says why the script did not run on the backend ("needs
	// restart"); then it has no steps and no checks, and OK is true.
	Skipped string `json:"skipped,omitempty"`
	OK      bool   `json:"ok"`
	// Passed and Failed count the checks.
	Passed       int           `json:"passed"`
	Failed       int           `json:"failed"`
	Participants []Participant `json:"participants"`
	Steps        []JSONStep    `json:"steps"`
	// Checks are the expectations and the calls with an expected HRESULT
	// (or that failed unexpectedly), in the order they ran.
	Checks []Check `json:"checks"`
}

// JSONStep is a Step in JSON.
type JSONStep struct {
	// Kind is "call", "control" or "notify".
	Kind string `json:"kind"`
	Line int    `json:"line,omitempty"`
	// At is the virtual time since the start of the run ("10m0s"), and
	// AtSeconds the same in seconds.
	At        string  `json:"at"`
	AtSeconds float64 `json:"atSeconds"`
	From      string  `json:"from"`
	To        string  `json:"to"`
	Label     string  `json:"label"`
	// Job is the scenario's name of the job a call or notification is about.
	Job string `json:"job,omitempty"`
	// Result is the HRESULT's name (or 0x… for an unnamed one); empty for
	// control steps.
	Result string     `json:"result,omitempty"`
	OK     bool       `json:"ok"`
	Retry  bool       `json:"retry,omitempty"`
	Event  *JSONEvent `json:"event,omitempty"`
}

// JSONEvent is the notification of a notify step.
type JSONEvent struct {
	Seq uint64 `json:"seq"`
	// Kind is the callback method, or "CommandLine".
	Kind string `json:"kind"`
	// Job is the job's name in the scenario, and JobID its GUID.
	Job   string `json:"job"`
	JobID string `json:"jobId"`
	// Target is "object", "clsid" or "cmdline".
	Target     string `json:"target"`
	App        string `json:"app,omitempty"`
	CLSID      string `json:"clsid,omitempty"`
	Instance   int    `json:"instance,omitempty"`
	Program    string `json:"program,omitempty"`
	Parameters string `json:"parameters,omitempty"`
	// User is the account the notification ran as.
	User   string `json:"user"`
	File   string `json:"file,omitempty"`
	Result string `json:"result"`
	// ExitCode is a command line's exit code.
	ExitCode *int `json:"exitCode,omitempty"`
}

// String names the kind: "call", "control" or "notify".
func (k StepKind) String() string {
	switch k {
	case StepCall:
		return "call"
	case StepControl:
		return "control"
	case StepNotify:
		return "notify"
	}
	return "unknown"
}

// MarshalText encodes the kind by name.
func (k StepKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// JSON returns the result in the form WriteJSON prints.
func (r *Result) JSON() JSONResult {
	out := JSONResult{File: r.File, Version: r.Version.String(), Variants: r.Variants, Backend: r.Backend, Skipped: r.Skipped, OK: !r.Failed(), Passed: r.CheckCount() - len(r.Failures()),
		Failed: len(r.Failures()), Participants: r.Participants, Checks: r.Checks,
		Steps: make([]JSONStep, 0, len(r.Steps))}
	if out.Participants == nil {
		out.Participants = []Participant{}
	}
	if out.Checks == nil {
		out.Checks = []Check{}
	}
	for _, s := range r.Steps {
		js := JSONStep{Kind: s.Kind.String(), Line: s.Line, At: offset(s.At), AtSeconds: s.At.Seconds(),
			From: s.From, To: s.To, Label: s.Label, Job: s.Job, OK: s.OK, Retry: s.Retry}
		if s.Kind != StepControl {
			js.Result = s.Result.String()
		}
		if e := s.Event; e != nil {
			je := &JSONEvent{Seq: e.Seq, Kind: e.Kind.String(), Job: s.Job, JobID: e.Job.String(),
				Target: e.Target.Kind.String(), App: e.Target.App, Instance: e.Target.Instance,
				Program: e.Target.Program, Parameters: e.Target.Parameters, User: e.User, File: e.File,
				Result: e.Result.String()}
			if !e.Target.CLSID.IsNull() {
				je.CLSID = e.Target.CLSID.String()
			}
			if e.Kind == model.EventCommandLine {
				code := e.ExitCode
				je.ExitCode = &code
			}
			js.Event = je
		}
		out.Steps = append(out.Steps, js)
	}
	return out
}

// offset prints a duration since the start of a run: "0s", "1.5s", "10m0s".
func offset(d time.Duration) string { return d.String() }
