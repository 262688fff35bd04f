package sim

import (
	"fmt"
	"strings"
	"time"

	"github.com/bitssim/bitssim/model"
	"github.com/bitssim/bitssim/rules"
)

// kickNotify makes j's owed notifications go out now, unless one of them
// is waiting out its retry delay (DELIV-RETRY-INTERVAL): then they all
// wait, in order. s.mu is held.
func (s *Service) kickNotify(j *job) {
	if j.delivering {
		j.redeliver = true
		return
	}
	if at, ok := s.pendingAt(j, slotNotify); ok && at > s.clock().UnixNano() && j.owes(j.retryItem) {
		return
	}
	s.scheduleNotify(j, s.clock())
}

// kickNotifyNow delivers j's owed notifications now even if a retry is
// pending: a new callback object gets them at once
// (DELIV-AFTER-REGISTRATION). s.mu is held.
func (s *Service) kickNotifyNow(j *job) {
	if j.delivering {
		j.redeliver = true
		return
	}
	s.scheduleNotify(j, s.clock())
}

// owes reports whether the notification k is still owed.
func (j *job) owes(k owedKey) bool {
	switch k.kind {
	case model.EventFileTransferred:
		return k.file >= 0 && k.file < len(j.rec.Files) && j.rec.Files[k.file].PendingFileTransferred
	case model.EventJobTransferred:
		return j.rec.PendingTransferred && j.rec.State == model.BG_JOB_STATE_TRANSFERRED
	case model.EventJobError:
		return j.rec.PendingError && j.rec.State == model.BG_JOB_STATE_ERROR
	}
	return false
}

// scheduleNotify schedules a delivery at at unless one is due sooner;
// s.mu is held.
func (s *Service) scheduleNotify(j *job, at time.Time) {
	if when, ok := s.pendingAt(j, slotNotify); ok && when <= at.UnixNano() {
		return
	}
	s.schedule(at, taskNotify, j, 0)
}

// modified notes that j changed, for JobModification; s.mu is held.
// Modifications are merged, and on BITS 10.1 and later sent at most once
// per MinimumNotificationInterval (DELIV-MODIFICATION-LOSSY,
// DELIV-MODIFICATION-RATE).
func (s *Service) modified(j *job) {
	if j.rec.State.IsFinal() || !rules.Wants(j.rec.NotifyFlags, model.EventJobModification) {
		return
	}
	if j.rec.State == model.BG_JOB_STATE_SUSPENDED && s.opts.Variants.Is("DELIV-MODIFICATION-SUSPENDED", rules.VarNotSent) {
		return
	}
	j.modDirty = true
	if j.tidx[slotModification] >= 0 {
		return
	}
	at := s.clock()
	if s.opts.Version >= model.BITS10_1 {
		var last time.Time
		if !j.lastMod.IsZero() {
			last = j.lastMod.Time()
		}
		at = rules.ModificationDue(at, last, j.rec.x().MinimumNotificationInterval, s.opts.Variants)
	}
	s.schedule(at, taskModification, j, 0)
}

// owed is one notification a job owes.
type owed struct {
	kind   model.EventKind
	file   int
	ranges []model.FileRange
	notes  int // FileRangesTransferred: how many rangesOwed notes it merges
}

// owedKey identifies an owed notification within one delivery.
type owedKey struct {
	kind model.EventKind
	file int
}

func (o owed) key() owedKey { return owedKey{o.kind, o.file} }

// nextOwed returns the next notification j owes, in delivery order:
// FileRangesTransferred, then FileTransferred file by file, then
// JobTransferred or JobError (DELIV-FILE-SERIALIZED,
// DELIV-FILE-BEFORE-JOB). skip holds the items passed over in this
// delivery. s.mu is held.
func (j *job) nextOwed(skip map[owedKey]bool, sel rules.Selection) (owed, bool) {
	if notes := j.owedRanges(); len(notes) > 0 {
		// One call reports every range of the file transferred since the
		// last call (DELIV-RANGES-REPORTED, DELIV-RANGES-INTERVAL).
		n := notes[0]
		o := owed{kind: model.EventFileRangesTransferred, file: n.file, ranges: n.ranges, notes: 1}
		for _, next := range notes[1:] {
			if next.file != n.file {
				break
			}
			o.ranges = append(o.ranges[:len(o.ranges):len(o.ranges)], next.ranges...)
			o.notes++
		}
		if o.notes > 1 {
			o.ranges = mergeRanges(o.ranges)
		}
		return o, true
	}
	for i := range j.rec.Files {
		if o := (owed{kind: model.EventFileTransferred, file: i}); j.rec.Files[i].PendingFileTransferred && !skip[o.key()] {
			return o, true
		}
	}
	if o := (owed{kind: model.EventJobTransferred, file: -1}); j.rec.PendingTransferred &&
		rules.OwedDeliverable(o.kind, j.rec.State, sel) && !skip[o.key()] {
		return o, true
	}
	if o := (owed{kind: model.EventJobError, file: -1}); j.rec.PendingError &&
		rules.OwedDeliverable(o.kind, j.rec.State, sel) && !skip[o.key()] {
		return o, true
	}
	return owed{}, false
}

// settle marks an owed notification as done with; s.mu is held.
func (j *job) settle(o owed) {
	switch o.kind {
	case model.EventFileRangesTransferred:
		j.more().rangesOwed = j.more().rangesOwed[min(o.notes, len(j.more().rangesOwed)):]
	case model.EventFileTransferred:
		if o.file < len(j.rec.Files) {
			j.rec.Files[o.file].PendingFileTransferred = false
		}
	case model.EventJobTransferred:
		j.rec.PendingTransferred = false
	case model.EventJobError:
		j.rec.PendingError = false
	}
}

// work is what a timer leaves to do outside the service's lock: a
// delivery of a job's owed notifications, or of a JobModification.
type work struct {
	j   *job
	gen uint64
	mod *caller // a JobModification to deliver; nil: the owed notifications
	reg rules.Registration
}

// do performs w; it runs outside the lock.
func (s *Service) do(w work) {
	if w.mod == nil {
		s.deliverOwed(w.j, w.gen, false)
		return
	}
	var plan rules.Plan
	done := false
	defer func() { // also when a callback calls runtime.Goexit
		s.mu.Lock()
		if done && s.generation == w.gen {
			s.applyPlan(w.j, w.mod, &plan)
		}
		s.putCaller(w.mod)
		s.mu.Unlock()
	}()
	plan = rules.RouteWith(w.reg, model.EventJobModification, w.mod)
	done = true
}

// startDelivery begins delivering j's owed notifications; s.mu is held.
func (s *Service) startDelivery(j *job) (work, bool) {
	if j.delivering || j.rec.State.IsFinal() {
		return work{}, false
	}
	j.delivering = true
	return work{j: j, gen: s.generation}, true
}

// deliverOwed delivers j's owed notifications one after another, calling
// callbacks outside the lock. With held, s.mu is held on entry and on
// return (also when a callback ends its goroutine), which spares the
// manual clock a lock round trip per delivery; otherwise it is held on
// neither.
func (s *Service) deliverOwed(j *job, gen uint64, held bool) {
	var skip map[owedKey]bool // made at the first item passed over
	if !held {
		s.mu.Lock()
	}
	locked, finished := true, false
	defer func() {
		// Also runs when a callback ends its goroutine (runtime.Goexit):
		// then the lock is not held, and the attempt counts as failed.
		if !locked {
			s.mu.Lock()
		}
		s.changed()
		if s.generation == gen {
			j.delivering = false
			switch {
			case !finished:
				s.scheduleNotify(j, s.clock().Add(rules.NotificationRetryDelay(j.rec.x().MinimumRetryDelay, s.opts.Variants)))
			case j.redeliver:
				j.redeliver = false
				s.kickNotify(j)
			}
		}
		if !held {
			s.mu.Unlock()
		}
	}()
	for {
		if s.generation != gen || s.closed || j.rec.State.IsFinal() {
			break
		}
		if len(j.owedRanges()) > 0 {
			// FileRangesTransferred at most once per
			// MinimumNotificationInterval (DELIV-RANGES-INTERVAL); what
			// follows it waits too, so the order stays.
			var last time.Time
			if j.extra != nil && j.extra.lastRanges != 0 {
				last = time.Unix(0, j.extra.lastRanges)
			}
			if due := rules.NextRangesNotification(last, j.rec.x().MinimumNotificationInterval); rules.RangesPaced(s.opts.Variants) && due.After(s.clock()) {
				s.scheduleNotify(j, due)
				break
			}
		}
		o, ok := j.nextOwed(skip, s.opts.Variants)
		if !ok {
			break
		}
		if o.kind == model.EventFileRangesTransferred {
			j.more().lastRanges = s.clock().UnixNano()
		}
		c := s.newCaller(j, o, gen)
		reg := s.registration(j)
		s.mu.Unlock()
		locked = false
		plan := rules.RouteWith(reg, o.kind, c)
		s.mu.Lock()
		locked = true
		if s.generation != gen {
			s.putCaller(c)
			break
		}
		s.applyPlan(j, c, &plan)
		failedWith := c.failedWith
		s.putCaller(c)
		if plan.CmdLineTookOver && (o.kind == model.EventJobTransferred || o.kind == model.EventJobError) {
			j.cmdTookOver = true
		}
		if plan.Settled {
			j.settle(o)
			continue
		}
		if plan.Outcome == rules.OutcomeRetry {
			if rules.NotificationFailureRecorded(o.kind, s.opts.Variants) && failedWith.Failed() {
				// DELIV-FAILURE-NOT-JOB-ERROR's recorded reading: the failure
				// is the job's error (not a transfer error: ErrorCount stays).
				j.rec.mut().Error = model.JobError{Context: model.BG_ERROR_CONTEXT_QUEUE_MANAGER_NOTIFICATION,
					Code: failedWith, Description: failedWith.Description()}
				j.rec.HasError = true
			}
			j.retryItem = o.key()
			s.scheduleNotify(j, s.clock().Add(plan.RetryDelay(j.rec.x().MinimumRetryDelay, s.opts.Variants)))
			break
		}
		if skip == nil {
			skip = map[owedKey]bool{}
		}
		skip[o.key()] = true // pending: owed until a target or the flags allow it
	}
	finished = true
}

// startModification prepares the delivery of a JobModification; s.mu is
// held.
func (s *Service) startModification(j *job) (work, bool) {
	if !j.modDirty || j.rec.State.IsFinal() {
		return work{}, false
	}
	j.modDirty = false
	j.lastMod = vt(s.clock())
	c := s.newCaller(j, owed{kind: model.EventJobModification, file: -1}, s.generation)
	return work{j: j, gen: s.generation, mod: c, reg: s.registration(j)}, true
}

// applyPlan applies what a delivery learned about the registrations;
// s.mu is held.
func (s *Service) applyPlan(j *job, c *caller, p *rules.Plan) {
	if c.regEpoch != j.regEpoch {
		return // the registrations changed meanwhile: the new ones stand
	}
	if p.DropObject && j.obj == c.obj {
		j.obj = nil
	}
	if p.DropInstance && j.inst == c.inst {
		s.dropInstance(j)
	}
	if c.newInst != nil && p.KeepInstance && !j.rec.State.IsFinal() && !j.stale {
		if j.inst != c.newInst {
			s.dropInstance(j)
		}
		j.inst = c.newInst
	}
	if p.RedeliverOnNewInstance(c.what.kind, j.rec.State, s.opts.Variants) {
		// The new instance gets the state's notification again
		// (DELIV-ONCE-AFTER-SUCCESS's again-on-new-instance reading).
		switch j.rec.State {
		case model.BG_JOB_STATE_TRANSFERRED:
			j.rec.PendingTransferred = true
		case model.BG_JOB_STATE_ERROR:
			j.rec.PendingError = true
		}
		s.kickNotify(j)
	}
}

// caller performs the attempts of one notification for rules.RouteWith.
type caller struct {
	s        *Service
	j        *job
	gen      uint64
	what     owed
	regEpoch uint64
	obj      *objectReg
	inst     *instanceReg
	newInst  *instanceReg
	clsid    model.GUID
	setter   model.Account // who set the CLSID (CLSID-OWNER-CONTEXT)
	owner    model.Account
	jobErr   model.JobError
	program  string
	params   string
	cmdUser  model.Account
	depth    int // re-entrant calls this one is nested in (DELIV-STA-REENTRY)
	// failedWith is the HRESULT of the last failed attempt.
	failedWith model.HRESULT
}

// newCaller captures what a delivery needs, reusing a caller from the
// free list; s.mu is held.
func (s *Service) newCaller(j *job, o owed, gen uint64) *caller {
	var c *caller
	if n := len(s.callers); n > 0 {
		c = s.callers[n-1]
		s.callers = s.callers[:n-1]
	} else {
		c = new(caller)
	}
	// c is zero (new, or cleared by putCaller): set field by field, and
	// the rarely used ones only when the job has them (in defaultMore
	// they are all zero), so that no store copies the whole struct
	// through the garbage collector's bulk write barrier.
	c.s, c.j, c.gen, c.what, c.regEpoch = s, j, gen, o, j.regEpoch
	c.obj, c.inst, c.owner = j.obj, j.inst, j.rec.Owner
	if m := j.rec.more; m != nil {
		c.clsid, c.setter, c.jobErr = m.NotifyCLSID, m.CLSIDSetter, m.Error
		c.program, c.params, c.cmdUser = m.CmdProgram, m.CmdParameters, m.CmdUser
	}
	return c
}

// putCaller returns a caller to the free list; s.mu is held.
func (s *Service) putCaller(c *caller) {
	if c.newInst != nil && c.j.inst != c.newInst {
		exitServer(c.newInst) // an instance BITS did not keep is released at once
	}
	*c = caller{}
	if len(s.callers) < 64 {
		s.callers = append(s.callers, c)
	}
}

// Call performs one attempt; it runs outside the lock.
func (c *caller) Call(st rules.Step) rules.Fate {
	switch {
	case st.Target == model.TargetObject:
		t := model.Target{Kind: model.TargetObject, App: c.obj.app.name}
		if !c.obj.app.alive() {
			c.note(t, c.obj.app.user, rules.DeadCallbackHRESULT(c.s.opts.Variants), 0)
			return rules.FateDisconnected
		}
		return c.invoke(c.obj.obj, &c.obj.h, c.obj.app.user, t)
	case st.Target == model.TargetCLSID && !st.Activate:
		// A held instance keeps the context it was activated in.
		t := model.Target{Kind: model.TargetCLSID, App: c.inst.host.name, CLSID: c.inst.clsid, Instance: c.inst.n}
		if !c.inst.host.alive() {
			c.note(t, c.inst.host.user, rules.DeadCallbackHRESULT(c.s.opts.Variants), 0)
			return rules.FateDisconnected
		}
		return c.invoke(c.inst.obj, &c.inst.h, c.inst.host.user, t)
	case st.Target == model.TargetCLSID:
		inst, hr := c.s.activate(c.clsid, c.owner, c.setter)
		if inst == nil {
			c.note(model.Target{Kind: model.TargetCLSID, CLSID: c.clsid}, c.owner, hr, 0)
			return rules.FateActivationFails
		}
		inst.h = jobHandle{s: c.s, app: inst.host, j: c.j}
		c.newInst = inst
		t := model.Target{Kind: model.TargetCLSID, App: inst.host.name, CLSID: inst.clsid, Instance: inst.n}
		return c.invoke(inst.obj, &inst.h, inst.host.user, t)
	case st.Target == model.TargetCommandLine:
		return c.launch()
	}
	return rules.FateFails
}

// invoke calls the callback method of the notification on obj, as user,
// with the job handle h (bound to the app holding obj).
func (c *caller) invoke(obj model.Callback, h *jobHandle, user model.Account, t model.Target) rules.Fate {
	s := c.s
	app := h.app
	if app.sta.Load() {
		app.inCallback.Add(1) // its COM calls let BITS call in (DELIV-STA-REENTRY)
		defer app.inCallback.Add(-1)
	}
	switch c.what.kind {
	case model.EventFileTransferred:
		if _, ok := obj.(model.FileCallback); !ok {
			return rules.FateOK // an IBackgroundCopyCallback-only object has no such method
		}
	case model.EventFileRangesTransferred:
		if _, ok := obj.(model.RangesCallback); !ok {
			return rules.FateOK
		}
	}
	var slot heldSlot
	// The manual clock runs one callback at a time, unless calls may be
	// held (EnableHolds); a re-entrant call runs on the caller's slot.
	if (s.opts.Clock != Manual || s.hold.on.Load()) && c.depth == 0 {
		if !s.acquireSlot(user, &slot) {
			return rules.FateFails // Close was called while the call waited for a slot
		}
		defer s.releaseHeld(&slot) // also when the callback calls runtime.Goexit
	}
	hr := c.safeCall(obj, h)
	// The slot is free before the call is in the trace, so whoever sees the
	// call returned also sees its slot given back.
	s.releaseHeld(&slot)
	dead := rules.DeadCallbackHRESULT(s.opts.Variants)
	if !app.alive() {
		// The process died during the call: no answer comes back, BITS
		// sees an RPC failure (OBJ-DISCOVER-DEAD).
		hr = dead
	}
	c.note(t, user, hr, 0)
	switch {
	case rules.Delivered(hr, s.opts.Variants): // DELIV-SFALSE-SUCCESS
		return rules.FateOK
	case hr == dead:
		return rules.FateDisconnected
	}
	return rules.FateFails
}

// safeCall calls the callback method of the notification on obj, turning
// a panic into E_UNEXPECTED: a misbehaving callback is a failed delivery,
// never a crashed service.
func (c *caller) safeCall(obj model.Callback, h *jobHandle) (hr model.HRESULT) {
	defer func() {
		if r := recover(); r != nil {
			hr = model.E_UNEXPECTED
		}
	}()
	var err error
	switch c.what.kind {
	case model.EventJobTransferred:
		err = obj.JobTransferred(h)
	case model.EventJobError:
		err = obj.JobError(h, c.jobErr)
	case model.EventJobModification:
		err = obj.JobModification(h)
	case model.EventFileTransferred:
		err = obj.(model.FileCallback).FileTransferred(h, &fileHandle{job: h, index: c.what.file})
	case model.EventFileRangesTransferred:
		ranges := append([]model.FileRange(nil), c.what.ranges...)
		err = obj.(model.RangesCallback).FileRangesTransferred(h, &fileHandle{job: h, index: c.what.file}, ranges)
	default:
		return model.E_UNEXPECTED
	}
	return model.HRESULTOf(err)
}

// note records an attempt in the trace.
func (c *caller) note(t model.Target, user model.Account, hr model.HRESULT, exit int) {
	s := c.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.generation != c.gen {
		return
	}
	if hr.Failed() {
		c.failedWith = hr
	}
	kind := c.what.kind
	if t.Kind == model.TargetCommandLine {
		kind = model.EventCommandLine
	}
	e := model.Event{Job: c.j.rec.ID, Kind: kind, Target: t, User: user.Name, Result: hr, ExitCode: exit}
	if c.what.file >= 0 && c.what.file < len(c.j.rec.Files) {
		e.File = c.j.rec.Files[c.what.file].LocalName
	}
	if len(c.what.ranges) > 0 {
		e.Ranges = append([]model.FileRange(nil), c.what.ranges...)
	}
	s.record(e)
}

// launch runs the command line (CMD-USER-CONTEXT, CMD-NO-SHELL).
func (c *caller) launch() rules.Fate {
	s := c.s
	l := Launch{Job: c.j.rec.ID, Program: c.program, Parameters: c.params, User: c.cmdUser}
	s.mu.Lock()
	l.Time = s.clock()
	handler := s.commands
	s.mu.Unlock()
	exit, err := 0, error(nil)
	if handler != nil {
		exit, err = safeLaunch(handler, l)
	}
	hr := model.S_OK
	switch {
	case err != nil:
		hr = model.HRESULTOf(err)
		if hr.Succeeded() {
			hr = model.E_FAIL
		}
		exit = -1
	case exit != 0:
		hr = model.E_FAIL
	}
	l.ExitCode, l.Err = exit, err
	s.mu.Lock()
	if s.generation == c.gen {
		s.keepLaunch(l)
	}
	s.mu.Unlock()
	c.note(model.Target{Kind: model.TargetCommandLine, Program: c.program, Parameters: c.params}, c.cmdUser, hr, exit)
	switch {
	case err != nil:
		return rules.FateNotStarted
	case hr.Succeeded():
		return rules.FateOK
	}
	return rules.FateFails
}

func safeLaunch(h CommandHandler, l Launch) (exit int, err error) {
	defer func() {
		if r := recover(); r != nil {
			exit, err = -1, fmt.Errorf("sim: command handler panicked: %v", r)
		}
	}()
	return h(l)
}

// heldSlot is one of a user's notification slots a callback holds.
type heldSlot struct {
	key  string // the user's Account.Key
	gen  uint64 // the service generation the slot belongs to
	held bool
}

// acquireSlot waits for one of user's four notification slots
// (DELIV-FOUR-PER-USER) and records it in sl. It returns false without a
// slot when the service is closed (no callback starts after Close).
func (s *Service) acquireSlot(user model.Account, sl *heldSlot) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := s.key(user)
	for !rules.CanNotifyConcurrently(s.inFlight[key]) && !s.closed {
		if s.hold.on.Load() { // the manual clock with holds: wait in turn
			s.mu.Unlock()
			s.park(func() bool { return rules.CanNotifyConcurrently(s.inFlight[key]) })
			s.mu.Lock()
			continue
		}
		s.slotFree.Wait()
	}
	if s.closed {
		return false
	}
	s.inFlight[key]++
	*sl = heldSlot{key: key, gen: s.generation, held: true}
	return true
}

// releaseHeld gives back the slot sl holds, if it still holds one; a
// restart since it was taken has already emptied the slots.
func (s *Service) releaseHeld(sl *heldSlot) {
	if !sl.held {
		return
	}
	sl.held = false
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.generation != sl.gen {
		return
	}
	s.inFlight[sl.key]--
	if s.inFlight[sl.key] <= 0 {
		delete(s.inFlight, sl.key)
	}
	s.slotFree.Broadcast()
}

// InFlight returns how many callbacks of the user named user are running
// now (names compare as Windows compares them: model.FoldName), counting
// every account kind of that name.
func (s *Service) InFlight(user string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n, name := 0, model.FoldName(user)
	for k, v := range s.inFlight {
		if _, folded, _ := strings.Cut(k, ":"); folded == name { // k is an Account.Key
			n += v
		}
	}
	return n
}
