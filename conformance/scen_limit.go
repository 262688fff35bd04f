package conformance

import (
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitssim/bitssim/harness"
	"github.com/bitssim/bitssim/model"
)

// liCreate creates n download jobs in app, or stops the scenario.
func liCreate(c *C, app harness.App, n int) []model.Job {
	out := make([]model.Job, 0, n)
	for i := 0; i < n; i++ {
		j, err := app.CreateJob("limit", model.BG_JOB_TYPE_DOWNLOAD)
		require.NoError(c, err, "CreateJob %d of %d as %s", i+1, n, app.User().Name)
		out = append(out, j)
	}
	return out
}

// liAddFiles adds n files to j one by one, or stops the scenario.
func liAddFiles(c *C, j model.Job, n int) {
	url, err := c.B.Remote(harness.RemoteOK, 2048)
	require.NoError(c, err)
	for i := 0; i < n; i++ {
		require.NoError(c, j.AddFile(url, c.LocalName()), "AddFile %d of %d", i+1, n)
	}
}

// liFileSet returns n files for AddFileSet.
func liFileSet(c *C, n int) []model.FileInfo {
	url, err := c.B.Remote(harness.RemoteOK, 2048)
	require.NoError(c, err)
	out := make([]model.FileInfo, n)
	for i := range out {
		out[i] = model.FileInfo{RemoteName: url, LocalName: c.LocalName()}
	}
	return out
}

// liRanges returns n ascending, disjoint ranges of 10 bytes.
func liRanges(n int) []model.FileRange {
	out := make([]model.FileRange, n)
	for i := range out {
		out[i] = model.FileRange{InitialOffset: uint64(i) * 100, Length: 10}
	}
	return out
}

func init() {
	register(
		Scenario{
			Rule:  "LIMIT-ADMIN-EXEMPT",
			Why:   "it creates hundreds of jobs and files, a loop a script cannot write, and calls AddFileSet",
			Needs: harness.Capabilities{Users: true, Version: model.BITS3_0},
			// Administrators, LocalSystem, LocalService and NetworkService are
			// exempt from the 60 jobs per user, 300 jobs per machine, 200
			// files per job and 500 ranges per file.
			Run: func(c *C) {
				exempt := []model.Account{Admin, model.LocalSystem, model.LocalService, model.NetworkService}
				apps := make([]harness.App, len(exempt))
				for i, u := range exempt {
					apps[i] = c.App(u)
					jobs := liCreate(c, apps[i], 61) // one more than the 60 per user
					liAddFiles(c, jobs[0], 201)      // one more than the 200 per job
					assert.Equal(c, 201, len(c.Files(jobs[0])), "201 files in a job of %s", u.Name)
					url, err := c.B.Remote(harness.RemoteOK, 1<<20)
					require.NoError(c, err)
					assert.NoError(c, jobs[1].AddFileWithRanges(url, c.LocalName(), liRanges(501)),
						"501 ranges by %s", u.Name)
				}
				// 244 jobs exist; the administrator brings them to 300.
				liCreate(c, apps[0], 300-4*61)
				_, err := c.App(Alice).CreateJob("limit", model.BG_JOB_TYPE_DOWNLOAD)
				require.ErrorIs(c, err, model.BG_E_TOO_MANY_JOBS_PER_MACHINE, "precondition: the machine is full for Alice")
				for i, u := range exempt {
					_, err := apps[i].CreateJob("limit", model.BG_JOB_TYPE_DOWNLOAD)
					assert.NoError(c, err, "CreateJob by %s with 300 or more jobs on the machine", u.Name)
				}
			},
		},
		Scenario{
			Rule:  "LIMIT-FILES-PER-JOB",
			Why:   "it adds 200 files and calls AddFileSet, a loop and a verb a script does not have",
			Needs: harness.Capabilities{Version: model.BITS3_0},
			// AddFile or AddFileSet by an ordinary user fails with
			// BG_E_TOO_MANY_FILES_IN_JOB when the job would hold more than 200
			// files.
			Run: func(c *C) {
				a := c.App(Alice)
				j, err := a.CreateJob("files", model.BG_JOB_TYPE_DOWNLOAD)
				require.NoError(c, err)
				liAddFiles(c, j, 200)
				url, err := c.B.Remote(harness.RemoteOK, 2048)
				require.NoError(c, err)
				assert.ErrorIs(c, j.AddFile(url, c.LocalName()), model.BG_E_TOO_MANY_FILES_IN_JOB, "file 201 by AddFile")
				assert.ErrorIs(c, j.AddFileSet(liFileSet(c, 1)), model.BG_E_TOO_MANY_FILES_IN_JOB, "file 201 by AddFileSet")
				assert.Equal(c, 200, len(c.Files(j)))

				set, err := a.CreateJob("files", model.BG_JOB_TYPE_DOWNLOAD)
				require.NoError(c, err)
				assert.ErrorIs(c, set.AddFileSet(liFileSet(c, 201)), model.BG_E_TOO_MANY_FILES_IN_JOB, "AddFileSet of 201")

				most, err := a.CreateJob("files", model.BG_JOB_TYPE_DOWNLOAD)
				require.NoError(c, err)
				liAddFiles(c, most, 199)
				assert.ErrorIs(c, most.AddFileSet(liFileSet(c, 2)), model.BG_E_TOO_MANY_FILES_IN_JOB, "AddFileSet of 2 to 199 files")
				assert.NoError(c, most.AddFileSet(liFileSet(c, 1)), "AddFileSet of 1 to 199 files")
			},
		},
		Scenario{
			Rule:  "LIMIT-JOBS-PER-MACHINE",
			Why:   "it creates 300 jobs, a loop a script cannot write",
			Needs: harness.Capabilities{Users: true, Version: model.BITS3_0},
			// CreateJob by an ordinary user fails with
			// BG_E_TOO_MANY_JOBS_PER_MACHINE once 300 jobs that are not
			// CANCELLED or ACKNOWLEDGED exist.
			Run: func(c *C) {
				alice, bob, admin := c.App(Alice), c.App(Bob), c.App(Admin)
				liCreate(c, alice, 59)
				liCreate(c, bob, 59)
				adminJobs := liCreate(c, admin, 300-59-59) // 300 in all
				for _, u := range []harness.App{alice, bob} {
					j, err := u.CreateJob("limit", model.BG_JOB_TYPE_DOWNLOAD)
					assert.ErrorIs(c, err, model.BG_E_TOO_MANY_JOBS_PER_MACHINE, "CreateJob by %s with 300 jobs", u.User().Name)
					assert.Nil(c, j)
				}

				c.Do(adminJobs[0].Cancel(), "Cancel")
				_, err := bob.CreateJob("limit", model.BG_JOB_TYPE_DOWNLOAD)
				assert.NoError(c, err, "a CANCELLED job does not count")
				_, err = alice.CreateJob("limit", model.BG_JOB_TYPE_DOWNLOAD)
				assert.ErrorIs(c, err, model.BG_E_TOO_MANY_JOBS_PER_MACHINE, "300 again")

				done := adminJobs[1]
				c.AddFile(done, harness.RemoteOK, 2048)
				c.Transfer(done)
				_, err = done.Complete()
				c.Do(err, "Complete")
				_, err = alice.CreateJob("limit", model.BG_JOB_TYPE_DOWNLOAD)
				assert.NoError(c, err, "an ACKNOWLEDGED job does not count")
			},
		},
		Scenario{
			Rule:  "LIMIT-JOBS-PER-USER",
			Why:   "it creates 60 jobs, a loop a script cannot write",
			Needs: harness.Capabilities{Version: model.BITS3_0},
			// CreateJob by an ordinary user who owns 60 jobs that are not
			// CANCELLED or ACKNOWLEDGED fails with BG_E_TOO_MANY_JOBS_PER_USER.
			Run: func(c *C) {
				a := c.App(Alice)
				jobs := liCreate(c, a, 60)
				j, err := a.CreateJob("limit", model.BG_JOB_TYPE_DOWNLOAD)
				assert.ErrorIs(c, err, model.BG_E_TOO_MANY_JOBS_PER_USER, "job 61")
				assert.Nil(c, j)

				c.Do(jobs[0].Cancel(), "Cancel")
				_, err = a.CreateJob("limit", model.BG_JOB_TYPE_DOWNLOAD)
				assert.NoError(c, err, "a CANCELLED job does not count")
				_, err = a.CreateJob("limit", model.BG_JOB_TYPE_DOWNLOAD)
				assert.ErrorIs(c, err, model.BG_E_TOO_MANY_JOBS_PER_USER, "60 again")

				done := jobs[1]
				c.AddFile(done, harness.RemoteOK, 2048)
				c.Transfer(done)
				_, err = done.Complete()
				c.Do(err, "Complete")
				_, err = a.CreateJob("limit", model.BG_JOB_TYPE_DOWNLOAD)
				assert.NoError(c, err, "an ACKNOWLEDGED job does not count")
			},
		},
		Scenario{
			Rule: "LIMIT-NONE-BEFORE-BITS3",
			Why:  "its expectations follow the backend's BITS version (a script is written for one version and has no conditionals)",
			// Before BITS 3.0, CreateJob, AddFile and AddFileSet enforce no
			// limit on jobs per user or machine or files per job. On BITS 3.0
			// and later the rule does not apply: the scenario is skipped.
			Run: func(c *C) {
				if v := c.Version(); v >= model.BITS3_0 {
					c.Skipf("the rule is about BITS before 3.0; the backend is BITS %v", v)
				}
				a := c.App(Alice)
				jobs := liCreate(c, a, 301) // past 60 per user and 300 per machine
				liAddFiles(c, jobs[0], 201)
				assert.Equal(c, 201, len(c.Files(jobs[0])))
				assert.NoError(c, jobs[1].AddFileSet(liFileSet(c, 201)), "AddFileSet of 201")
				assert.Equal(c, 201, len(c.Files(jobs[1])))
			},
		},
		Scenario{
			Rule: "LIMIT-NULL-DISPLAY-NAME",
			Why:  "it passes a NULL string, which a script cannot write, and skips through COM",
			// CreateJob or SetDisplayName with a NULL display name (the empty
			// string in the Go API) fails with E_INVALIDARG. Through COM the
			// Go API's empty string goes out as an empty string, and a NULL
			// could not reach BITS anyway (LIMIT-NULL-STRING-COM): skipped.
			Run: func(c *C) {
				if c.B.Capabilities().COM {
					c.Skipf("through COM the empty string is sent as an empty string, not NULL, and a NULL never reaches BITS (LIMIT-NULL-STRING-COM)")
				}
				a := c.App(Alice)
				j, err := a.CreateJob("", model.BG_JOB_TYPE_DOWNLOAD)
				assert.ErrorIs(c, err, model.E_INVALIDARG, "CreateJob")
				assert.Nil(c, j)
				ok := c.Reach(a, model.BG_JOB_STATE_SUSPENDED)
				assert.ErrorIs(c, ok.SetDisplayName(""), model.E_INVALIDARG, "SetDisplayName")
			},
		},
		Scenario{
			Rule:  "LIMIT-RANGES-PER-FILE",
			Why:   "it adds a file with 500 and 501 ranges, a loop a script cannot write",
			Needs: harness.Capabilities{Version: model.BITS3_0},
			// AddFileWithRanges by an ordinary user with more than 500 ranges
			// fails with BG_E_TOO_MANY_RANGES_IN_FILE.
			Run: func(c *C) {
				j := c.Reach(c.App(Alice), model.BG_JOB_STATE_SUSPENDED)
				url, err := c.B.Remote(harness.RemoteOK, 1<<20)
				require.NoError(c, err)
				assert.ErrorIs(c, j.AddFileWithRanges(url, c.LocalName(), liRanges(501)), model.BG_E_TOO_MANY_RANGES_IN_FILE, "501 ranges")
				assert.NoError(c, j.AddFileWithRanges(url, c.LocalName(), liRanges(500)), "500 ranges")
			},
		},
		Scenario{
			Rule: "LIMIT-UPLOAD-ONE-FILE",
			Why:  "it calls AddFileSet, which is no verb of the language",
			// A second file for an UPLOAD or UPLOAD_REPLY job, by AddFile or
			// AddFileSet, fails with BG_E_TOO_MANY_FILES and adds nothing.
			Run: func(c *C) {
				a := c.App(Alice)
				for _, typ := range []model.JobType{model.BG_JOB_TYPE_UPLOAD, model.BG_JOB_TYPE_UPLOAD_REPLY} {
					one, err := a.CreateJob("upload", typ)
					require.NoError(c, err)
					require.NoError(c, one.AddFileSet(liFileSet(c, 1)), "the first file of %v", typ)
					assert.ErrorIs(c, one.AddFileSet(liFileSet(c, 1)), model.BG_E_TOO_MANY_FILES, "AddFileSet of a second file (%v)", typ)
					url, err := c.B.Remote(harness.RemoteOK, 2048)
					require.NoError(c, err)
					assert.ErrorIs(c, one.AddFile(url, c.LocalName()), model.BG_E_TOO_MANY_FILES, "AddFile of a second file (%v)", typ)
					assert.Equal(c, 1, len(c.Files(one)), "%v keeps one file", typ)

					two, err := a.CreateJob("upload", typ)
					require.NoError(c, err)
					assert.ErrorIs(c, two.AddFileSet(liFileSet(c, 2)), model.BG_E_TOO_MANY_FILES, "AddFileSet of two files (%v)", typ)
					assert.Equal(c, 0, len(c.Files(two)), "AddFileSet of two files adds nothing (%v)", typ)
				}
			},
		},
	)
}
