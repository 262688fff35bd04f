package sim

import (
	"encoding/binary"
	"fmt"
	"time"

	"github.com/bitssim/bitssim/model"
	"github.com/bitssim/bitssim/rules"
)

// Restart restarts the BITS service: it encodes what persists through the
// store, drops everything else (callback objects, CLSID instances,
// notifications in flight), and decodes the saved state into a fresh
// service (PERSIST-*). Jobs that were CONNECTING or TRANSFERRING come back
// QUEUED (PERSIST-ACTIVE-REQUEUED); JobTransferred and JobError not yet
// delivered are delivered again (PERSIST-REDELIVER). A callback running
// during the restart finishes, but its result is lost with the old service
// and it is not in the trace. Apps keep running and their job handles keep
// working.
func (s *Service) Restart() error { return s.restart(false) }

// restart is Restart, or PowerLoss when powerLoss is set.
func (s *Service) restart(powerLoss bool) error {
	s.batch.saveMu.Lock() // no background save between this one and the load
	defer s.batch.saveMu.Unlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	if err := s.saveState(); err != nil {
		return fmt.Errorf("sim: restart: %w", err)
	}
	s.batch.unsaved = false
	found, err := s.loadJobs(powerLoss)
	if err != nil {
		return fmt.Errorf("sim: restart: %w", err)
	}
	if !found {
		s.restore(&snapshot{}, powerLoss)
	}
	s.changed() // states moved without setState: wake the waiters
	return nil
}

// recordAttempt counts the attempt in progress towards rec's
// MaximumDownloadTime; s.mu is held.
func (s *Service) recordAttempt(j *job, rec *jobRecord, now time.Time) {
	if j.rec.State == model.BG_JOB_STATE_CONNECTING || j.rec.State == model.BG_JOB_STATE_TRANSFERRING {
		rec.DownloadElapsed += now.Sub(j.attemptStart.Time())
	}
}

// encodeState returns the encoding of the persisted state (the jobs in
// creation order), written job by job through one scratch record, without
// building a snapshot; s.mu is held. The result is valid until the next
// encodeState: on the package's own stores, which keep no reference to
// what they save, it reuses the buffer of the last encoding (saves are
// serialized: by s.mu, or by batch.saveMu for a batching store's).
func (s *Service) encodeState() []byte {
	js := s.jobsInOrder()
	now := s.clock()
	size := s.lastSave
	if size == 0 { // the first: about what a one-file job takes
		size = 64 + 192*len(js)
	}
	var b []byte
	if reusable(s.saveBuf, size+frameOverhead) {
		b = beginFrameIn(s.saveBuf, size)
	} else {
		b = beginFrame(size)
	}
	b = appendTime(b, now)
	b = binary.AppendUvarint(b, uint64(len(js)))
	var rec jobRecord
	var files []fileRecord
	for _, j := range js {
		files = j.rec.recordInto(&rec, files)
		s.recordAttempt(j, &rec, now)
		b = appendJob(b, &rec)
	}
	b = finishFrame(b)
	s.lastSave = len(b)
	if ownsNothing(s.opts.Store) {
		s.saveBuf = b // the next encoding reuses it
	}
	return b
}

// ownsNothing reports whether st is a store of this package, which keeps no
// reference to what it saves once Save returns, so that the service may
// reuse the buffer of its last encoding (a Store of the caller's is not
// trusted with that).
func ownsNothing(st Store) bool {
	switch st.(type) {
	case *MemoryStore, *FileStore:
		return true
	}
	return false
}

// saveState saves the persisted state in the store; s.mu is held.
func (s *Service) saveState() error {
	if err := s.opts.Store.Save(s.encodeState()); err != nil {
		return fmt.Errorf("sim: save snapshot to %s: %w", storeName(s.opts.Store), err)
	}
	return nil
}

// restore replaces the service's jobs with the snapshot's; s.mu is held.
func (s *Service) restore(snap *snapshot, powerLoss bool) {
	old, now := s.restoreBegin(len(snap.Jobs))
	for i := range snap.Jobs {
		s.restoreJob(&snap.Jobs[i], old, now, powerLoss)
	}
}

// loadJobs replaces the service's jobs with those saved in its store, if
// anything was saved (found), streamed from the encoding (loadState);
// s.mu is held. On an error nothing has changed.
func (s *Service) loadJobs(powerLoss bool) (found bool, err error) {
	var old map[model.GUID]*job
	var now time.Time
	return loadState(s.opts.Store, s.opts.Variants,
		func(n int) { old, now = s.restoreBegin(n) },
		func(rec *jobRecord) { s.restoreJob(rec, old, now, powerLoss) })
}

// restoreBegin forgets the service's jobs before n are restored, and
// returns the old jobs (for their handles) and the time; s.mu is held.
func (s *Service) restoreBegin(n int) (old map[model.GUID]*job, now time.Time) {
	s.generation++
	old = s.jobs
	for _, j := range old {
		s.dropInstance(j) // a restart drops the CLSID instances
		j.stale = true
		for i := range j.tidx {
			j.tidx[i] = -1 // the old timer heap is gone
		}
	}
	s.jobs = make(map[model.GUID]*job, n)
	s.final = nil // PERSIST-FINAL-GONE
	s.userJobs = map[string]*ownerJobs{}
	s.runq = [4]runQueue{}
	s.timers.reset()
	s.idleTimers.reset()
	s.bgSlot = nil
	for k := range s.inFlight {
		delete(s.inFlight, k)
	}
	s.slotFree.Broadcast()
	return old, s.clock()
}

// restoreJob restores one job of a snapshot (rec, which it does not keep);
// s.mu is held.
//
// After a power loss (powerLoss), a BITS_JOB_PROPERTY_HIGH_PERFORMANCE job
// that was transferring loses its progress (PERSIST-HIGH-PERFORMANCE).
func (s *Service) restoreJob(rec *jobRecord, old map[model.GUID]*job, now time.Time, powerLoss bool) {
	s.jobOrder++
	j := newJobStruct()
	var files []liveFile
	switch n := len(rec.Files); {
	case n == 1:
		files = j.file0[:] // the first file lives in the job
	case n > 1:
		files = make([]liveFile, n)
	}
	j.rec.fromRecord(rec, files)
	j.index = s.jobOrder
	if len(j.rec.Files) == 0 {
		j.rec.Files = nil
	}
	s.jobs[rec.ID] = j
	j.owner = s.ownerJobs(rec.Owner)
	j.owner.n++
	if o := old[rec.ID]; o != nil {
		o.next = j // handles follow the job across the restart
	}
	if next := rules.StateAfterRestart(rec.State, s.opts.Variants); next != rec.State {
		j.rec.State = next
		if powerLoss && j.rec.x().HighPerformance {
			j.forgetProgress() // PERSIST-HIGH-PERFORMANCE
		}
		if next == model.BG_JOB_STATE_TRANSIENT_ERROR {
			// The interrupted transfer is a transient error: it is
			// retried after the retry delay.
			j.rec.RetryDue = 0
			if j.rec.FirstTransientError.IsZero() {
				j.rec.FirstTransientError = vt(now)
			}
		}
	}
	if rules.OwedAfterRestart(j.rec.State, s.opts.Variants) {
		j.rec.PendingTransferred = j.rec.PendingTransferred || j.rec.State == model.BG_JOB_STATE_TRANSFERRED
		j.rec.PendingError = j.rec.PendingError || j.rec.State == model.BG_JOB_STATE_ERROR
	}
	j.interrupted() // a dynamic download starts again (PERSIST-JOBS)
	switch j.rec.State {
	case model.BG_JOB_STATE_QUEUED:
		s.enqueue(j)
	case model.BG_JOB_STATE_TRANSIENT_ERROR:
		if s.waitsWithoutRetry(j) {
			// No retry (STATE-TRANSIENT-RETRY): a job that waited for
			// the network is queued if the network is up again
			// (STATE-NETWORK-LOSS); others keep waiting.
			if j.rec.x().Error.Code == model.BG_E_NETWORK_DISCONNECTED && !s.offline {
				j.rec.State = model.BG_JOB_STATE_QUEUED
				s.enqueue(j)
			}
			break
		}
		// The retry stays due when it was (STATE-TRANSIENT-RETRY), and the
		// no-progress timeout keeps counting.
		due := j.rec.RetryDue.Time()
		if due.IsZero() {
			due = now.Add(rules.ClampRetryDelay(j.rec.x().MinimumRetryDelay))
		}
		j.rec.RetryDue = vt(due)
		s.schedule(due, taskRetryDue, j, 0)
		if !j.rec.FirstTransientError.IsZero() {
			s.schedule(j.rec.FirstTransientError.Time().Add(j.rec.x().NoProgressTimeout), taskNoProgress, j, 0)
		}
	}
	due := j.rec.LastActivity.Time().Add(rules.JobInactivityTimeout)
	if due.Before(now) {
		due = now
	}
	s.schedule(due, taskInactivity, j, 0)
	if j.rec.PendingTransferred || j.rec.PendingError || j.hasPendingFiles() {
		s.kickNotify(j)
	}
}

func (j *job) hasPendingFiles() bool {
	for i := range j.rec.Files {
		if j.rec.Files[i].PendingFileTransferred {
			return true
		}
	}
	return false
}
