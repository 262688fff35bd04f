package sim

import (
	"strings"
	"time"

	"github.com/bitssim/bitssim/model"
	"github.com/bitssim/bitssim/rules"
)

// job is the service's state of one job: the persisted record plus what a
// restart drops.
type job struct {
	rec   liveRecord
	index uint64 // creation order, for EnumJobs
	next  *job   // the copy that replaced it, if the job was persisted

	// Registrations that are not persisted.
	obj  *objectReg
	inst *instanceReg

	// tidx holds the heap position of the job's pending timer of each
	// slot, -1 for none.
	tidx [numSlots]int32

	// Transfer.
	queuedSeq    uint64 // round-robin position while QUEUED
	attemptStart vtime

	owner *ownerJobs // the count of the owner's live jobs

	// Notifications.
	retryItem owedKey // the notification a scheduled retry is for
	regEpoch  uint64  // bumped by every change of object or CLSID
	lastMod   vtime
	extra     *jobExtra // rarely used state, allocated on first use; nil for none

	stale       bool // a Restart replaced this job with a fresh copy
	foreground  bool // running as a foreground job (no slot)
	delivering  bool // a delivery of this job's owed notifications runs
	redeliver   bool // something became owed while delivering
	cmdTookOver bool // CMD-METHOD-NOT-RECALLED for the current event
	modDirty    bool

	// file0 holds the first file, so that a one-file job takes one
	// allocation; rec.Files points into it until a second file is added.
	file0 [1]liveFile
	// h is the handle CreateJob returns (bound to the creating app), kept
	// here so that creating a job takes one allocation.
	h jobHandle
}

// jobExtra is the state few jobs need, kept out of job so that an idle job
// stays small.
type jobExtra struct {
	lastRanges int64        // Unix nanoseconds of the last FileRangesTransferred call, 0 for none (DELIV-RANGES-INTERVAL)
	secrets    *jobSecrets  // credentials, custom headers, client certificate; nil for none
	rangesOwed []rangesNote // FileRangesTransferred owed, in order
}

// owedRanges returns the FileRangesTransferred notes j owes, in order.
func (j *job) owedRanges() []rangesNote {
	if j.extra == nil {
		return nil
	}
	return j.extra.rangesOwed
}

// more returns j's extra state, allocating it.
func (j *job) more() *jobExtra {
	if j.extra == nil {
		j.extra = &jobExtra{}
	}
	return j.extra
}

// objectReg is a callback object registered with SetNotifyInterface.
type objectReg struct {
	obj model.Callback
	app *App // the app that registered it: callbacks run as its user
	// h is the job handle the object's callbacks get, bound to app: one
	// per registration rather than one per callback. A callback may keep
	// it; it stays a valid handle of the job.
	h jobHandle
}

// instanceReg is an object BITS activated from the notification CLSID.
type instanceReg struct {
	obj   model.Callback
	host  *App
	clsid model.GUID
	n     int
	// h is the job handle the instance's callbacks get, bound to host;
	// set when the instance is activated for a job, before anyone else
	// sees it.
	h jobHandle
}

// rangesNote is a FileRangesTransferred owed for one file.
type rangesNote struct {
	file   int
	ranges []model.FileRange
}

func (j *job) facts() rules.JobFacts {
	done := 0
	for i := range j.rec.Files {
		if j.rec.Files[i].Completed {
			done++
		}
	}
	return rules.JobFacts{Type: j.rec.Type, Files: len(j.rec.Files), FilesTransferred: done}
}

func (j *job) progress() model.JobProgress {
	p := model.JobProgress{FilesTotal: uint32(len(j.rec.Files))}
	for i := range j.rec.Files {
		f := &j.rec.Files[i]
		if f.Completed {
			p.FilesTransferred++
		}
		if f.BytesTotal == model.BG_SIZE_UNKNOWN {
			p.BytesTotal = model.BG_SIZE_UNKNOWN
		} else if p.BytesTotal != model.BG_SIZE_UNKNOWN {
			p.BytesTotal += f.BytesTotal
		}
		p.BytesTransferred += f.BytesTransferred
	}
	return p
}

// registration describes j's notification set-up for rules.Route.
func (s *Service) registration(j *job) rules.Registration {
	return rules.Registration{
		Version:               s.opts.Version,
		Flags:                 j.rec.NotifyFlags,
		Object:                j.obj != nil,
		CLSID:                 !j.rec.x().NotifyCLSID.IsNull(),
		Instance:              j.inst != nil,
		CmdLine:               j.rec.x().CmdProgram != "",
		OwnerIsServiceAccount: j.rec.Owner.IsServiceAccount(),
		OnDemand:              j.rec.OnDemand || (j.rec.Type == model.BG_JOB_TYPE_DOWNLOAD && !j.rec.DynamicContent),
		CmdLineTookOver:       j.cmdTookOver,
		Variants:              s.opts.Variants,
		Resolved:              s.resolved,
	}
}

// newJob creates a SUSPENDED job; s.mu is held.
// jobs counts the owner's live jobs (Service.ownerJobs).
func (s *Service) newJob(name string, typ model.JobType, owner model.Account, jobs *ownerJobs) *job {
	now := s.clock()
	s.jobOrder++
	j := newJobStruct()
	j.index = s.jobOrder
	// The timeouts and intervals have their defaults: rec.more is nil.
	j.rec = liveRecord{
		ID:           s.newGUID(),
		Type:         typ,
		Owner:        owner,
		State:        model.BG_JOB_STATE_SUSPENDED,
		DisplayName:  name,
		Priority:     model.BG_JOB_PRIORITY_NORMAL,
		NotifyFlags:  rules.DefaultNotifyFlags,
		Created:      vt(now),
		Modified:     vt(now),
		LastActivity: vt(now),
	}
	for s.jobs[j.rec.ID] != nil {
		j.rec.ID = s.newGUID()
	}
	s.jobs[j.rec.ID] = j
	j.owner = jobs
	jobs.n++
	s.schedule(now.Add(rules.JobInactivityTimeout), taskInactivity, j, 0)
	return j
}

// ownerJobs counts the live jobs of one owner (all accounts of one
// Account.Key), for the limits. A service keeps one per key until its next
// restart, so a job and an app may keep a pointer to it.
type ownerJobs struct{ n int }

// ownerJobs returns the job count of owner; s.mu is held.
func (s *Service) ownerJobs(owner model.Account) *ownerJobs {
	k := s.key(owner)
	c := s.userJobs[k]
	if c == nil {
		c = &ownerJobs{}
		s.userJobs[k] = c
	}
	return c
}

// appJobs returns the job count of a's user, from a's cache when it is of
// this generation; s.mu is held.
func (s *Service) appJobs(a *App) *ownerJobs {
	if a.jobs == nil || a.jobsGen != s.generation {
		a.jobs, a.jobsGen = s.ownerJobs(a.user), s.generation
	}
	return a.jobs
}

// key returns owner.Key() from a small cache, so that counting a job
// allocates nothing; s.mu is held.
func (s *Service) key(owner model.Account) string {
	if k, ok := s.keys[owner]; ok {
		return k
	}
	if len(s.keys) >= maxCachedKeys {
		clear(s.keys)
	}
	if s.keys == nil {
		s.keys = map[model.Account]string{}
	}
	k := owner.Key()
	s.keys[owner] = k
	return k
}

// maxCachedKeys bounds the cache of Service.key: a service with more
// distinct owners than this starts over, so the cache never grows without
// bound.
const maxCachedKeys = 1024

// touch records a modification by a client; s.mu is held.
func (s *Service) touch(j *job) {
	now := s.clock()
	j.rec.Modified = vt(now)
	j.rec.LastActivity = vt(now)
	s.modified(j)
}

// setState moves j to state to with every side effect the rules give;
// s.mu is held.
func (s *Service) setState(j *job, to model.JobState) {
	from := j.rec.State
	if from == to {
		return
	}
	now := s.clock()
	j.rec.State = to
	s.changed()
	j.rec.Modified = vt(now)
	// A change of state BITS makes by itself (a retry, a transient error)
	// is no activity: only transfer progress and the client's calls are
	// (STATE-INACTIVITY-CANCEL, STATE-NO-PROGRESS-OVER-INACTIVITY).
	wasActive := from == model.BG_JOB_STATE_CONNECTING || from == model.BG_JOB_STATE_TRANSFERRING
	isActive := to == model.BG_JOB_STATE_CONNECTING || to == model.BG_JOB_STATE_TRANSFERRING
	if wasActive && !isActive {
		j.rec.DownloadElapsed += now.Sub(j.attemptStart.Time())
		s.cancel(j, slotTransfer, slotMaxDownload, slotTimeSlice)
		s.releaseSlot(j)
		if to != model.BG_JOB_STATE_TRANSFERRED {
			j.interrupted() // PERSIST-JOBS: a dynamic download starts again
		}
	}
	if to == model.BG_JOB_STATE_TRANSFERRING {
		j.rec.HasError = false
	}
	// Owed notifications follow the state (DELIV-RETRY-STOPS-ON-LEAVE).
	if from == model.BG_JOB_STATE_TRANSFERRED && !rules.OwedOnLeave(to, s.opts.Variants) {
		j.rec.PendingTransferred = false
		j.cmdTookOver = false
	}
	if from == model.BG_JOB_STATE_ERROR && !rules.OwedOnLeave(to, s.opts.Variants) {
		j.rec.PendingError = false
		j.cmdTookOver = false
	}
	if from == model.BG_JOB_STATE_TRANSIENT_ERROR {
		s.cancel(j, slotRetryDue, slotNoProgress)
		j.rec.RetryDue = 0
	}
	switch to {
	case model.BG_JOB_STATE_TRANSFERRED:
		j.rec.TransferCompleted = vt(now)
		j.rec.PendingTransferred = true
		s.kickNotify(j)
	case model.BG_JOB_STATE_ERROR:
		j.rec.PendingError = true
		s.kickNotify(j)
	case model.BG_JOB_STATE_QUEUED:
		s.enqueue(j)
	}
	if rules.ModificationOnChange(from, to) {
		s.modified(j)
	}
	if to.IsFinal() {
		s.finalize(j)
	}
}

// finalize forgets a job that reached ACKNOWLEDGED or CANCELLED: it is no
// longer listed, its registrations are released, nothing more is owed.
// Handles keep working for getters. s.mu is held.
func (s *Service) finalize(j *job) {
	if s.jobs[j.rec.ID] == j {
		delete(s.jobs, j.rec.ID)
		j.owner.n--
		if s.opts.Variants.Is("STATE-GETJOB-FINAL", rules.VarFound) {
			if s.final == nil {
				s.final = map[model.GUID]*job{}
			}
			s.final[j.rec.ID] = j
		}
	}
	j.obj = nil
	s.dropInstance(j)
	j.modDirty = false
	if j.extra != nil {
		j.extra.rangesOwed = nil
	}
	for i := range j.rec.Files {
		j.rec.Files[i].PendingFileTransferred = false
	}
	for sl := range j.tidx {
		s.cancel(j, sl)
	}
}

// newJobStruct allocates a job with its timers unscheduled.
func newJobStruct() *job {
	j := &job{}
	for i := range j.tidx {
		j.tidx[i] = -1
	}
	return j
}

// resumeElapsed resets the MaximumDownloadTime clock: Resume restarts it.
func (j *job) resumeElapsed() { j.rec.DownloadElapsed = 0 }

// enqueue puts a QUEUED job on the run queue and asks the scheduler to
// look; s.mu is held.
func (s *Service) enqueue(j *job) {
	s.queueSeq++
	j.queuedSeq = s.queueSeq
	s.runq[j.rec.Priority].push(queued{j: j, seq: j.queuedSeq})
	s.askScheduler()
}

// releaseSlot frees the background slot if j holds it; s.mu is held.
func (s *Service) releaseSlot(j *job) {
	j.foreground = false
	if s.bgSlot == j {
		s.bgSlot = nil
		s.askScheduler()
	}
}

// queued is a run-queue entry; it is stale once the job left QUEUED or
// was queued again.
type queued struct {
	j   *job
	seq uint64
}

func (e queued) valid(p model.JobPriority) bool {
	return !e.j.stale && e.j.rec.State == model.BG_JOB_STATE_QUEUED && e.j.queuedSeq == e.seq && e.j.rec.Priority == p
}

// front drops stale entries from the head of priority p's queue and
// returns the first live one.
func (s *Service) front(p model.JobPriority) (*job, bool) {
	q := &s.runq[p]
	for q.len() > 0 && !q.first().valid(p) {
		q.pop()
	}
	if q.len() == 0 {
		return nil, false
	}
	return q.first().j, true
}

// runQueue is a FIFO of run-queue entries. It reuses its buffer: popping
// advances a head index, and the buffer is rewound whenever it drains, so
// a queue that keeps emptying (the usual case) never allocates again.
type runQueue struct {
	items []queued
	head  int
}

func (q *runQueue) len() int { return len(q.items) - q.head }

// first returns the entry at the head; the queue is not empty.
func (q *runQueue) first() queued { return q.items[q.head] }

// push appends e.
func (q *runQueue) push(e queued) {
	if q.head > 0 && q.head >= len(q.items)/2 {
		// Compact: the popped half is reused instead of growing the buffer.
		n := copy(q.items, q.items[q.head:])
		clear(q.items[n:])
		q.items, q.head = q.items[:n], 0
	}
	q.items = append(q.items, e)
}

// pop drops the entry at the head; the queue is not empty.
func (q *runQueue) pop() {
	q.items[q.head] = queued{}
	q.head++
	if q.head == len(q.items) {
		q.items, q.head = q.items[:0], 0
	}
}

// takeAll empties the queue and returns its entries.
func (q *runQueue) takeAll() []queued {
	out := q.items[q.head:]
	*q = runQueue{}
	return out
}

// runScheduler starts QUEUED jobs: every foreground job at once, and one
// background job at a time, highest priority first and round robin within
// a priority; a higher-priority job preempts the running one. s.mu is held.
func (s *Service) runScheduler() {
	fg := s.runq[model.BG_JOB_PRIORITY_FOREGROUND].takeAll()
	for _, e := range fg {
		if e.valid(model.BG_JOB_PRIORITY_FOREGROUND) {
			s.start(e.j, true)
		}
	}
	var best *job
	for p := model.BG_JOB_PRIORITY_HIGH; p <= model.BG_JOB_PRIORITY_LOW; p++ {
		if j, ok := s.front(p); ok {
			best = j
			break
		}
	}
	if best == nil {
		return
	}
	if cur := s.bgSlot; cur != nil {
		if best.rec.Priority >= cur.rec.Priority {
			return
		}
		s.setState(cur, rules.OnServiceEvent(cur.rec.State, rules.EvPreempted).Next)
	}
	s.runq[best.rec.Priority].pop()
	s.start(best, false)
}

// start moves a QUEUED job to CONNECTING; s.mu is held.
func (s *Service) start(j *job, foreground bool) {
	now := s.clock()
	j.foreground = foreground
	if !foreground {
		s.bgSlot = j
	}
	s.setState(j, rules.OnServiceEvent(j.rec.State, rules.EvStart).Next)
	j.attemptStart = vt(now)
	latency := time.Duration(0)
	if i := j.currentFile(); i >= 0 {
		r := s.remoteFor(j.rec.Files[i].RemoteName)
		latency = r.Latency
	}
	s.schedule(now.Add(latency), taskConnected, j, 0)
	if latency > 0 {
		s.armActiveTimers(j)
	}
}

// armActiveTimers sets the MaximumDownloadTime and time-slice timers of
// an attempt that takes time; an attempt that ends at the instant it
// starts needs neither. s.mu is held.
func (s *Service) armActiveTimers(j *job) {
	if max := j.rec.x().MaximumDownloadTime; max > 0 && j.tidx[slotMaxDownload] < 0 {
		s.schedule(j.attemptStart.Time().Add(max-j.rec.DownloadElapsed), taskMaxDownload, j, 0)
	}
	if !j.foreground && j.tidx[slotTimeSlice] < 0 {
		s.schedule(j.attemptStart.Time().Add(s.opts.TimeSlice), taskTimeSlice, j, 0)
	}
}

// currentFile is the first file not yet transferred, or -1.
func (j *job) currentFile() int {
	for i := range j.rec.Files {
		if !j.rec.Files[i].Completed {
			return i
		}
	}
	return -1
}

// remoteFor returns the script of a URL; s.mu is held.
func (s *Service) remoteFor(url string) Remote {
	if r, ok := s.remotes[url]; ok {
		return r
	}
	return *s.opts.DefaultRemote
}

// transferNext starts or finishes the job's next file; s.mu is held.
func (s *Service) transferNext(j *job) {
	if j.rec.OnDemand {
		s.transferRanges(j)
		return
	}
	i := j.currentFile()
	if i < 0 {
		s.setState(j, rules.OnServiceEvent(j.rec.State, rules.EvAllFilesDone).Next)
		return
	}
	f := &j.rec.Files[i]
	r := s.remoteFor(f.RemoteName)
	f.Attempts++
	if hr, transient := r.attempt(f.Attempts); hr != 0 {
		if transient {
			s.transientError(j, i, hr)
		} else {
			s.jobError(j, i, hr, model.BG_ERROR_CONTEXT_REMOTE_FILE)
		}
		return
	}
	if !f.hasTemp && f.TemporaryName() == "" {
		f.tempN, f.hasTemp = s.tempNumber(), true
	}
	f.BytesTotal = r.Size
	f.FromPeer = r.FromPeer && !(f.ValidationSet && !f.Valid)
	if r.Rate == 0 {
		s.addBytes(j, i, r.Size-min(f.BytesTransferred, r.Size))
		return
	}
	s.armActiveTimers(j)
	s.schedule(s.nextTick(), taskProgress, j, i)
}

// addBytes records progress on file i and finishes it when complete;
// s.mu is held.
func (s *Service) addBytes(j *job, i int, n uint64) {
	f := &j.rec.Files[i]
	if n > 0 && s.rangesWanted(j, i) {
		// A transfer that meets the on-demand requirements reports its
		// ranges (DELIV-RANGES-ON-DEMAND).
		j.more().rangesOwed = append(j.more().rangesOwed, rangesNote{file: i,
			ranges: []model.FileRange{{InitialOffset: f.BytesTransferred, Length: n}}})
		s.kickNotify(j)
	}
	f.BytesTransferred += n
	j.rec.FirstTransientError = 0
	j.rec.LastActivity = vt(s.clock())
	if n > 0 {
		j.rec.Modified = j.rec.LastActivity // bytes transferred modify the job (BG_JOB_TIMES)
		s.modified(j)
	}
	if f.BytesTransferred < f.BytesTotal {
		s.armActiveTimers(j)
		s.schedule(s.nextTick(), taskProgress, j, i)
		return
	}
	f.Completed = true
	// BITS 3.0 does not call FileTransferred again for content fetched
	// from the origin after a peer's copy was rejected
	// (FILE-VALIDATION-FALSE-PEER).
	refetched30 := s.opts.Version == model.BITS3_0 && f.ValidationSet && !f.Valid
	// FileTransferred reports downloaded files (DELIV-FILE-DOWNLOAD-ONLY):
	// a download's files, and the reply of an UPLOAD_REPLY job, whose
	// transfer the simulator models as upload and reply in one; never an
	// UPLOAD job's file.
	if j.rec.Type != model.BG_JOB_TYPE_UPLOAD && !refetched30 {
		f.PendingFileTransferred = true
		s.kickNotify(j)
	}
	s.transferNext(j)
}

// nextTick is when the next progress tick of a rate-limited transfer
// falls due: ProgressInterval after the tick being run fell due, or after
// now outside a tick. s.mu is held.
func (s *Service) nextTick() time.Time {
	if s.tickDue != 0 {
		return time.Unix(0, s.tickDue).Add(s.opts.ProgressInterval)
	}
	return s.clock().Add(s.opts.ProgressInterval)
}

// progressTick moves a rate-limited transfer on; s.mu is held.
func (s *Service) progressTick(j *job, i int) {
	if i < 0 || i >= len(j.rec.Files) || j.rec.Files[i].Completed {
		return
	}
	r := s.remoteFor(j.rec.Files[i].RemoteName)
	f := &j.rec.Files[i]
	chunk := uint64(float64(r.Rate) * s.opts.ProgressInterval.Seconds())
	chunk = max(chunk, 1)
	s.addBytes(j, i, min(chunk, f.BytesTotal-f.BytesTransferred))
}

// transferRanges downloads the ranges an on-demand job requested
// (FILE-RANGES-SUSPEND, DELIV-RANGES-ON-DEMAND); s.mu is held.
func (s *Service) transferRanges(j *job) {
	for i := range j.rec.Files {
		f := &j.rec.Files[i]
		if len(f.x().Requested) == 0 {
			continue
		}
		fm := f.mut()
		r := s.remoteFor(f.RemoteName)
		f.BytesTotal = r.Size
		var got []model.FileRange
		for _, want := range fm.Requested {
			end := r.Size
			if want.Length != model.BG_LENGTH_TO_EOF && want.InitialOffset+want.Length < end {
				end = want.InitialOffset + want.Length
			}
			if want.InitialOffset >= end {
				continue
			}
			// BITS never downloads the same byte range twice, so only
			// the bytes not yet filled are transferred and reported
			// (DELIV-RANGES-REPORTED).
			got = append(got, missingRanges(model.FileRange{InitialOffset: want.InitialOffset, Length: end - want.InitialOffset},
				mergeRanges(append(append([]model.FileRange(nil), fm.Filled...), got...)))...)
		}
		fm.Requested = nil
		fm.Filled = mergeRanges(append(fm.Filled, got...))
		f.BytesTransferred = coveredBytes(fm.Filled)
		if f.BytesTransferred >= f.BytesTotal && !f.Completed {
			f.Completed = true
			f.PendingFileTransferred = true
		}
		if len(got) > 0 {
			j.more().rangesOwed = append(j.more().rangesOwed, rangesNote{file: i, ranges: got})
			s.kickNotify(j)
		}
	}
	s.releaseSlot(j)
	if j.currentFile() < 0 {
		s.setState(j, rules.OnServiceEvent(j.rec.State, rules.EvAllFilesDone).Next)
		return
	}
	s.setState(j, model.BG_JOB_STATE_SUSPENDED)
}

// transientError moves j to TRANSIENT_ERROR, or to ERROR once the
// no-progress timeout has passed (STATE-TRANSIENT-RETRY,
// STATE-NO-PROGRESS-TIMEOUT); s.mu is held.
func (s *Service) transientError(j *job, i int, hr model.HRESULT) {
	now := s.clock()
	s.setError(j, i, hr, model.BG_ERROR_CONTEXT_REMOTE_FILE)
	if j.rec.FirstTransientError.IsZero() {
		j.rec.FirstTransientError = vt(now)
	}
	delay := rules.ClampRetryDelay(j.rec.x().MinimumRetryDelay)
	if rules.TransientErrorOutcome(now.Sub(j.rec.FirstTransientError.Time()), j.rec.x().NoProgressTimeout) == model.BG_JOB_STATE_ERROR ||
		rules.RetryDelayExceedsTimeout(delay, j.rec.x().NoProgressTimeout) {
		s.setState(j, model.BG_JOB_STATE_ERROR)
		return
	}
	s.setState(j, rules.OnServiceEvent(j.rec.State, rules.EvTransientError).Next)
	if s.waitsWithoutRetry(j) {
		return // no retry: the job waits for the condition to clear
	}
	j.rec.RetryDue = vt(now.Add(delay))
	s.schedule(j.rec.RetryDue.Time(), taskRetryDue, j, 0)
	s.schedule(j.rec.FirstTransientError.Time().Add(j.rec.x().NoProgressTimeout), taskNoProgress, j, 0)
}

// jobError moves j to ERROR (STATE-FATAL-ERROR); s.mu is held.
func (s *Service) jobError(j *job, i int, hr model.HRESULT, ctx model.ErrorContext) {
	s.setError(j, i, hr, ctx)
	s.setState(j, model.BG_JOB_STATE_ERROR)
}

func (s *Service) setError(j *job, i int, hr model.HRESULT, ctx model.ErrorContext) {
	e := model.JobError{Context: ctx, Code: hr, Description: hr.Description()}
	if i >= 0 && i < len(j.rec.Files) {
		f := j.rec.Files[i]
		e.File = model.FileInfo{RemoteName: f.RemoteName, LocalName: f.LocalName}
		e.Protocol = errorProtocol(f.RemoteName)
	}
	j.rec.mut().Error = e
	j.rec.HasError = true
	j.rec.ErrorCount++
}

// errorProtocol is the protocol a file's error reports for its remote
// name: "file" for SMB, whether a UNC path, a drive path or a file:// URL,
// else the URL's scheme in lower case (FILE-ERROR-PROTOCOL).
func errorProtocol(remote string) string {
	if strings.HasPrefix(remote, `\\`) || isDrivePath(remote) {
		return "file"
	}
	return strings.ToLower(protocolOf(remote))
}

func protocolOf(url string) string {
	for i := 0; i < len(url); i++ {
		if url[i] == ':' {
			return url[:i]
		}
		if !(url[i] >= 'a' && url[i] <= 'z' || url[i] >= 'A' && url[i] <= 'Z') {
			break
		}
	}
	return ""
}

// runTask does one timer's work; s.mu is held. It returns work to do
// outside the lock (a delivery), if any.
func (s *Service) runTask(t timer) (work, bool) {
	j := t.job
	if t.kind == taskSchedule {
		s.runScheduler()
		return work{}, false
	}
	if j.stale {
		return work{}, false
	}
	switch t.kind {
	case taskConnected:
		if j.rec.State == model.BG_JOB_STATE_CONNECTING && s.offline {
			s.networkDown(j) // no network to connect over (STATE-NETWORK-LOSS)
		} else if j.rec.State == model.BG_JOB_STATE_CONNECTING {
			s.setState(j, rules.OnServiceEvent(j.rec.State, rules.EvConnected).Next)
			s.transferNext(j)
		}
	case taskProgress:
		if j.rec.State == model.BG_JOB_STATE_TRANSFERRING {
			s.tickDue = t.at
			s.progressTick(j, int(t.arg))
			s.tickDue = 0
		}
	case taskRetryDue:
		if tr := rules.OnServiceEvent(j.rec.State, rules.EvRetryDue); tr.OK {
			s.setState(j, tr.Next)
		}
	case taskNoProgress:
		if j.rec.State == model.BG_JOB_STATE_TRANSIENT_ERROR &&
			s.clock().Sub(j.rec.FirstTransientError.Time()) >= j.rec.x().NoProgressTimeout {
			s.setState(j, rules.OnServiceEvent(j.rec.State, rules.EvNoProgressTimeout).Next)
		}
	case taskMaxDownload:
		if tr := rules.OnServiceEvent(j.rec.State, rules.EvMaxDownloadTime); tr.OK {
			s.setError(j, j.currentFile(), model.BG_E_MAXDOWNLOAD_TIMEOUT, model.BG_ERROR_CONTEXT_GENERAL_QUEUE_MANAGER)
			s.setState(j, tr.Next)
		}
	case taskTimeSlice:
		s.timeSliceEnded(j)
	case taskInactivity:
		if j.rec.State.IsFinal() {
			return work{}, false
		}
		due := j.rec.LastActivity.Time().Add(rules.JobInactivityTimeout)
		if s.clock().Before(due) {
			s.schedule(due, taskInactivity, j, 0)
			return work{}, false
		}
		s.setState(j, rules.OnServiceEvent(j.rec.State, rules.EvInactivityTimeout).Next)
	case taskNotify:
		return s.startDelivery(j)
	case taskModification:
		return s.startModification(j)
	}
	return work{}, false
}

// timeSliceEnded sends the slot holder back to QUEUED when another job of
// the same priority waits (round robin); s.mu is held.
func (s *Service) timeSliceEnded(j *job) {
	if s.bgSlot != j || !(j.rec.State == model.BG_JOB_STATE_CONNECTING || j.rec.State == model.BG_JOB_STATE_TRANSFERRING) {
		return
	}
	for p := model.BG_JOB_PRIORITY_HIGH; p <= j.rec.Priority; p++ {
		if _, waiting := s.front(p); waiting {
			s.setState(j, rules.OnServiceEvent(j.rec.State, rules.EvPreempted).Next)
			return
		}
	}
	s.schedule(s.clock().Add(s.opts.TimeSlice), taskTimeSlice, j, 0)
}

// mergeRanges sorts and merges overlapping or adjacent ranges.
func mergeRanges(rs []model.FileRange) []model.FileRange {
	if len(rs) < 2 {
		return rs
	}
	out := append([]model.FileRange(nil), rs...)
	for i := 1; i < len(out); i++ {
		for k := i; k > 0 && out[k].InitialOffset < out[k-1].InitialOffset; k-- {
			out[k], out[k-1] = out[k-1], out[k]
		}
	}
	merged := out[:1]
	for _, r := range out[1:] {
		last := &merged[len(merged)-1]
		if r.InitialOffset <= last.InitialOffset+last.Length {
			if end := r.InitialOffset + r.Length; end > last.InitialOffset+last.Length {
				last.Length = end - last.InitialOffset
			}
			continue
		}
		merged = append(merged, r)
	}
	return merged
}

func coveredBytes(rs []model.FileRange) uint64 {
	var n uint64
	for _, r := range rs {
		n += r.Length
	}
	return n
}

// missingRanges returns the parts of r that filled (sorted, merged) does
// not cover.
func missingRanges(r model.FileRange, filled []model.FileRange) []model.FileRange {
	var out []model.FileRange
	start, end := r.InitialOffset, r.InitialOffset+r.Length
	for _, f := range filled {
		fEnd := f.InitialOffset + f.Length
		if fEnd <= start || f.InitialOffset >= end {
			continue
		}
		if f.InitialOffset > start {
			out = append(out, model.FileRange{InitialOffset: start, Length: f.InitialOffset - start})
		}
		start = max(start, fEnd)
	}
	if start < end {
		out = append(out, model.FileRange{InitialOffset: start, Length: end - start})
	}
	return out
}

// rangesWanted reports whether the bytes of file i transferred now are
// owed as a FileRangesTransferred: on BITS 10.1 and later, with
// BG_NOTIFY_FILE_RANGES_TRANSFERRED set, for a transfer that meets the
// requirements of an on-demand job (DELIV-RANGES-ON-DEMAND). s.mu is held.
func (s *Service) rangesWanted(j *job, i int) bool {
	if s.opts.Version < model.BITS10_1 || !rules.Wants(j.rec.NotifyFlags, model.EventFileRangesTransferred) {
		return false
	}
	f := &j.rec.Files[i]
	return rules.MeetsOnDemandRequirements(j.rec.Type, j.rec.DynamicContent, f.RemoteName, !s.remoteFor(f.RemoteName).NoRangeSupport)
}
