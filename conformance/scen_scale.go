package conformance

import (
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitssim/bitssim/harness"
	"github.com/bitssim/bitssim/model"
)

// Go scenarios that loop over hundreds of jobs, files or ranges, or over
// every second of a transfer: loops a script cannot write.

// fiProgress returns the progress of every file of j, or stops the scenario.
func fiProgress(c *C, j model.Job) []model.FileProgress {
	var out []model.FileProgress
	for _, f := range c.Files(j) {
		p, err := f.GetProgress()
		require.NoError(c, err)
		out = append(out, p)
	}
	return out
}

// manyRanges returns n ascending, disjoint ranges of 10 bytes.
func manyRanges(n int) []model.FileRange {
	out := make([]model.FileRange, n)
	for i := range out {
		out[i] = model.FileRange{InitialOffset: uint64(i) * 100, Length: 10}
	}
	return out
}

var _ = goScenario(Scenario{Rule: "FILE-FIFO", Why: "it checks an invariant of every file's progress at every second of the transfer, a loop a script cannot write", Needs: harness.Capabilities{VirtualTime: true}, Run: checkFileFifo})

// checkFileFifo checks FILE-FIFO. Exact time: each file must be caught part-
// way, second by second. BITS transfers the files of a job one at a time, in
// the order they were added: at any moment the files transferred so far are
// a prefix, at most one file is partly transferred, and no later file has a
// byte.
func checkFileFifo(c *C) {
	a := c.App(Alice)
	const n = 3
	j := c.SizedJob(a, 4096, harness.RemoteSlow, harness.RemoteSlow, harness.RemoteSlow) // 4 s each
	var locals []string
	for _, f := range c.Files(j) {
		l, err := f.GetLocalName()
		require.NoError(c, err)
		locals = append(locals, l)
	}
	fileFlags := c.Version() >= model.BITS3_0
	if fileFlags {
		c.SetFlags(j, model.BG_NOTIFY_JOB_TRANSFERRED|model.BG_NOTIFY_JOB_ERROR|model.BG_NOTIFY_FILE_TRANSFERRED)
		c.Register(a, j, harness.Behavior{})
	}
	c.Transfer(j)
	partial := map[int]bool{}
	for step := 0; step < 20 && c.State(j) != model.BG_JOB_STATE_TRANSFERRED; step++ {
		c.Advance(time.Second)
		ps := fiProgress(c, j)
		require.Len(c, ps, n)
		started := false // a file before this one is not complete
		for i, p := range ps {
			if started {
				assert.Zero(c, p.BytesTransferred, "second %d: file %d has bytes before an earlier file is done", step+1, i)
			}
			if !p.Completed {
				if p.BytesTransferred > 0 {
					partial[i] = true
				}
				started = true
			}
		}
	}
	assert.Equal(c, model.BG_JOB_STATE_TRANSFERRED, c.State(j))
	assert.Len(c, partial, n, "each file was seen partly transferred on its own")
	if fileFlags {
		var order []string
		for _, e := range To(c.Delivered(j, model.EventFileTransferred), a) {
			order = append(order, e.File)
		}
		assert.Equal(c, locals, order, "FileTransferred in the order the files were added")
	}
}

var _ = goScenario(Scenario{Rule: "LIMIT-ADMIN-EXEMPT", Why: "it creates hundreds of jobs and files, a loop a script cannot write", Needs: harness.Capabilities{Users: true, Version: model.BITS3_0}, Run: checkLimitAdminExempt})

// checkLimitAdminExempt checks LIMIT-ADMIN-EXEMPT. Administrators,
// LocalSystem, LocalService and NetworkService are exempt from the 60 jobs
// per user, 300 jobs per machine, 200 files per job and 500 ranges per file.
func checkLimitAdminExempt(c *C) {
	exempt := []model.Account{Admin, model.LocalSystem, model.LocalService, model.NetworkService}
	apps := make([]harness.App, len(exempt))
	for i, u := range exempt {
		apps[i] = c.App(u)
		jobs := createJobs(c, apps[i], 61) // one more than the 60 per user
		addFilesOneByOne(c, jobs[0], 201)  // one more than the 200 per job
		assert.Equal(c, 201, len(c.Files(jobs[0])), "201 files in a job of %s", u.Name)
		url, err := c.B.Remote(harness.RemoteOK, 1<<20)
		require.NoError(c, err)
		assert.NoError(c, jobs[1].AddFileWithRanges(url, c.LocalName(), manyRanges(501)),
			"501 ranges by %s", u.Name)
	}
	// 244 jobs exist; the administrator brings them to 300.
	createJobs(c, apps[0], 300-4*61)
	_, err := c.App(Alice).CreateJob("limit", model.BG_JOB_TYPE_DOWNLOAD)
	require.ErrorIs(c, err, model.BG_E_TOO_MANY_JOBS_PER_MACHINE, "precondition: the machine is full for Alice")
	for i, u := range exempt {
		_, err := apps[i].CreateJob("limit", model.BG_JOB_TYPE_DOWNLOAD)
		assert.NoError(c, err, "CreateJob by %s with 300 or more jobs on the machine", u.Name)
	}
}

var _ = goScenario(Scenario{Rule: "LIMIT-JOBS-PER-MACHINE", Why: "it creates 300 jobs, a loop a script cannot write", Needs: harness.Capabilities{Users: true, Version: model.BITS3_0}, Run: checkLimitJobsPerMachine})

// checkLimitJobsPerMachine checks LIMIT-JOBS-PER-MACHINE. CreateJob by an
// ordinary user fails with BG_E_TOO_MANY_JOBS_PER_MACHINE once 300 jobs that
// are not CANCELLED or ACKNOWLEDGED exist.
func checkLimitJobsPerMachine(c *C) {
	alice, bob, admin := c.App(Alice), c.App(Bob), c.App(Admin)
	createJobs(c, alice, 59)
	createJobs(c, bob, 59)
	adminJobs := createJobs(c, admin, 300-59-59) // 300 in all
	for _, u := range []harness.App{alice, bob} {
		j, err := u.CreateJob("limit", model.BG_JOB_TYPE_DOWNLOAD)
		assert.ErrorIs(c, err, model.BG_E_TOO_MANY_JOBS_PER_MACHINE, "CreateJob by %s with 300 jobs", u.User().Name)
		assert.Nil(c, j)
	}

	c.finalJobsDoNotCount(adminJobs, bob, alice, model.BG_E_TOO_MANY_JOBS_PER_MACHINE, "300 again")
}

// finalJobsDoNotCount checks that a limit on jobs (tooMany, reached with
// the jobs full) counts no CANCELLED or ACKNOWLEDGED job: once full[0] is
// cancelled, first creates one job more and then next is refused again
// (again says why); once full[1] is acknowledged, next creates one more.
func (c *C) finalJobsDoNotCount(full []model.Job, first, next harness.App, tooMany error, again string) {
	c.Do(full[0].Cancel(), "Cancel")
	_, err := first.CreateJob("limit", model.BG_JOB_TYPE_DOWNLOAD)
	assert.NoError(c, err, "a CANCELLED job does not count")
	_, err = next.CreateJob("limit", model.BG_JOB_TYPE_DOWNLOAD)
	assert.ErrorIs(c, err, tooMany, again)

	done := full[1]
	c.AddFile(done, harness.RemoteOK, 2048)
	c.Transfer(done)
	_, err = done.Complete()
	c.Do(err, "Complete")
	_, err = next.CreateJob("limit", model.BG_JOB_TYPE_DOWNLOAD)
	assert.NoError(c, err, "an ACKNOWLEDGED job does not count")
}
