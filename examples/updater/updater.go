// Command updater is a small updater built on BITS, written the way a
// downstream Go project would write one: against model.Manager, with the
// real BITS service (harness/winbits) in production on Windows and the
// simulator (simtest) in its tests on any OS.
//
// It downloads an update in a BITS job and installs it when BITS calls
// JobTransferred. Its notification handler does what a correct handler
// must (see the package documentation of model):
//
//   - it records the update as installed before it calls Complete, so a
//     failure to record leaves the job TRANSFERRED and BITS calls again;
//   - it treats a second JobTransferred for an update already recorded as
//     done, because delivery is at least once;
//   - it registers its callback object again after it starts and after
//     the BITS service restarts (Reattach), because BITS does not keep
//     objects across either; a callback CLSID, when it has one, lets BITS
//     start it when it is not running;
//   - on JobError it records the failure and cancels the job, so the job
//     does not sit in ERROR until the 90-day inactivity timeout.
//
// Usage (Windows): updater -version 1.2.3 -url https://… -out C:\Updates\app.msi
package main

import (
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/bitssim/bitssim/model"
)

// jobPrefix starts the display name of the updater's jobs; the version
// follows it.
const jobPrefix = "update "

// Store is where the updater records what it installed.
type Store interface {
	// Installed reports whether version is recorded as installed.
	Installed(version string) (bool, error)
	// Record records version as installed from the file at path.
	Record(version, path string) error
	// Failed records that version could not be downloaded.
	Failed(version string, jobErr model.JobError) error
}

// Updater downloads updates with BITS and records them in a Store.
type Updater struct {
	mgr   model.Manager
	store Store
	clsid model.GUID
	// done, when set, is called once an update is recorded (err nil) or
	// has failed for good.
	done func(version string, err error)
}

// New returns an updater that makes its BITS calls through mgr and
// records updates in store. clsid, unless GUID_NULL, is the COM class BITS
// starts to notify the updater when it is not running.
func New(mgr model.Manager, store Store, clsid model.GUID) *Updater {
	return &Updater{mgr: mgr, store: store, clsid: clsid}
}

// OnDone sets a function called when an update is recorded (err nil) or
// has failed for good.
func (u *Updater) OnDone(f func(version string, err error)) { u.done = f }

// Download starts downloading version from url to the local path out and
// returns the job. The handler installs it when BITS has transferred it.
func (u *Updater) Download(version, url, out string) (model.Job, error) {
	job, err := u.mgr.CreateJob(jobPrefix+version, model.BG_JOB_TYPE_DOWNLOAD)
	if err != nil {
		return nil, fmt.Errorf("updater: download %s: %w", version, err)
	}
	err = errors.Join(
		job.AddFile(url, out),
		job.SetNotifyFlags(model.BG_NOTIFY_JOB_TRANSFERRED|model.BG_NOTIFY_JOB_ERROR),
		job.SetNotifyInterface(u.Handler()),
	)
	if err == nil && !u.clsid.IsNull() {
		err = job.SetNotifyCLSID(u.clsid)
	}
	if err == nil {
		err = job.Resume()
	}
	if err != nil {
		_ = job.Cancel()
		return nil, fmt.Errorf("updater: download %s: %w", version, err)
	}
	return job, nil
}

// Reattach registers the updater's callback object again on each of its
// jobs and returns how many: call it when the updater starts and after the
// BITS service restarts, which keep jobs but not callback objects.
func (u *Updater) Reattach() (int, error) {
	jobs, err := u.mgr.EnumJobs(0)
	if err != nil {
		return 0, fmt.Errorf("updater: reattach: %w", err)
	}
	n := 0
	for _, job := range jobs {
		if name, err := job.GetDisplayName(); err != nil || !strings.HasPrefix(name, jobPrefix) {
			continue
		}
		if err := job.SetNotifyInterface(u.Handler()); err != nil {
			return n, fmt.Errorf("updater: reattach %v: %w", job.GetId(), err)
		}
		n++
	}
	return n, nil
}

// Handler returns the updater's notification handler, the callback object
// it registers; the COM class behind its CLSID serves the same handler.
func (u *Updater) Handler() model.Callback { return &handler{u: u} }

// handler is the updater's callback object.
type handler struct {
	u  *Updater
	mu sync.Mutex // one notification at a time
}

// JobTransferred records the update and then completes the job. An error
// leaves the job TRANSFERRED: BITS calls again after MinimumRetryDelay.
func (h *handler) JobTransferred(job model.Job) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	version, path, err := describe(job)
	if err != nil {
		return err
	}
	installed, err := h.u.store.Installed(version)
	if err != nil {
		return fmt.Errorf("updater: %s: %w", version, err)
	}
	if !installed { // a second JobTransferred finds it recorded
		if err := h.u.store.Record(version, path); err != nil {
			return fmt.Errorf("updater: record %s: %w", version, err)
		}
	}
	if _, err := job.Complete(); err != nil && !errors.Is(err, model.BG_E_INVALID_STATE) {
		return fmt.Errorf("updater: complete %s: %w", version, err)
	}
	if !installed && h.u.done != nil {
		h.u.done(version, nil)
	}
	return nil
}

// JobError records the failure and cancels the job: a job left in ERROR
// waits for ever (until the 90-day inactivity timeout) and counts against
// the user's job limit.
func (h *handler) JobError(job model.Job, jobErr model.JobError) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	version, _, err := describe(job)
	if err != nil {
		return err
	}
	if err := h.u.store.Failed(version, jobErr); err != nil {
		return fmt.Errorf("updater: record the failure of %s: %w", version, err)
	}
	if err := job.Cancel(); err != nil && !errors.Is(err, model.BG_E_INVALID_STATE) {
		return fmt.Errorf("updater: cancel %s: %w", version, err)
	}
	if h.u.done != nil {
		h.u.done(version, fmt.Errorf("updater: %s: %w", version, jobErr.Code))
	}
	return nil
}

// JobModification is not asked for.
func (h *handler) JobModification(model.Job) error { return nil }

// describe reads the version and the local path of an updater's job.
func describe(job model.Job) (version, path string, err error) {
	name, err := job.GetDisplayName()
	if err != nil {
		return "", "", fmt.Errorf("updater: %w", err)
	}
	version, ok := strings.CutPrefix(name, jobPrefix)
	if !ok {
		return "", "", fmt.Errorf("updater: job %q is not an update: %w", name, model.E_INVALIDARG)
	}
	files, err := job.EnumFiles()
	if err != nil || len(files) == 0 {
		return "", "", fmt.Errorf("updater: files of %s: %w", version, errors.Join(err, model.BG_E_EMPTY))
	}
	path, err = files[0].GetLocalName()
	return version, path, err
}
