package sim

import (
	"fmt"

	"github.com/bitssim/bitssim/model"
)

// Outcome is what one transfer attempt of a scripted remote does: it
// transfers (the zero Outcome, also called Transfer), fails transiently
// (the job goes to TRANSIENT_ERROR and BITS retries after
// MinimumRetryDelay), or fails fatally (the job goes to ERROR and waits
// for the app).
type Outcome struct {
	// Err is the HRESULT the attempt fails with; 0 means it transfers.
	Err model.HRESULT
	// Transient marks Err as a transient error; otherwise it is fatal.
	Transient bool
}

// Transfer is the Outcome of an attempt that transfers the content.
var Transfer = Outcome{}

// TransientFailure is an attempt that fails with hr, a transient error.
func TransientFailure(hr model.HRESULT) Outcome { return Outcome{Err: hr, Transient: true} }

// FatalFailure is an attempt that fails with hr, a fatal error.
func FatalFailure(hr model.HRESULT) Outcome { return Outcome{Err: hr} }

// StatusOutcome is the outcome of an attempt answered with an HTTP status:
// 2xx transfers; 5xx, 408 and 429 fail transiently and other statuses
// fatally, with BG_E_HTTP_ERROR_nnn. It reports an error for a status
// outside 100-599.
func StatusOutcome(status int) (Outcome, error) {
	switch {
	case status < 100 || status > 599:
		return Outcome{}, fmt.Errorf("sim: HTTP status %d is not in 100-599: %w", status, model.E_INVALIDARG)
	case status >= 200 && status < 300:
		return Transfer, nil
	case status >= 500 || status == 408 || status == 429:
		return TransientFailure(model.HTTPError(status)), nil
	}
	return FatalFailure(model.HTTPError(status)), nil
}

// Sequence is a Remote of size bytes whose attempts answer with the HTTP
// statuses in turn (see StatusOutcome); attempts after the last transfer.
// Sequence(4096, 503, 503, 404) fails transiently twice, then fatally
// with BG_E_HTTP_ERROR_404; after the app resumes the job it transfers.
func Sequence(size uint64, statuses ...int) (Remote, error) {
	r := Remote{Size: size}
	for i, st := range statuses {
		o, err := StatusOutcome(st)
		if err != nil {
			return Remote{}, fmt.Errorf("sim: Sequence: attempt %d: %w", i+1, err)
		}
		r.Attempts = append(r.Attempts, o)
	}
	return r, nil
}

// validateAttempts rejects a script that says two things about the same
// attempt, and outcomes that contradict themselves.
func (r *Remote) validateAttempts() error {
	if len(r.Attempts) == 0 {
		return nil
	}
	switch {
	case r.TransientFailures != 0:
		return fmt.Errorf("Attempts and TransientFailures both script the attempts: use one")
	case r.TransientError != 0:
		return fmt.Errorf("Attempts and TransientError both script the attempts: give the error in the Outcome")
	case r.Fatal != 0:
		return fmt.Errorf("Attempts and Fatal both script the attempts: use FatalFailure in Attempts")
	}
	for i, o := range r.Attempts {
		switch {
		case o.Err == 0 && o.Transient:
			return fmt.Errorf("attempt %d is transient without an error", i+1)
		case o.Err != 0 && o.Err.Succeeded():
			return fmt.Errorf("attempt %d fails with %v, a success code", i+1, o.Err)
		}
	}
	return nil
}

// attempt returns how attempt n (from 1) of a file fails: its HRESULT
// and whether the failure is transient; 0 when it transfers.
func (r *Remote) attempt(n int) (model.HRESULT, bool) {
	if len(r.Attempts) > 0 {
		if n >= 1 && n <= len(r.Attempts) {
			o := r.Attempts[n-1]
			return o.Err, o.Transient
		}
		return 0, false
	}
	switch {
	case r.Fatal != 0:
		return r.Fatal, false
	case n <= r.TransientFailures:
		return r.transientError(), true
	}
	return 0, false
}
