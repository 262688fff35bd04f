package conformance

import "github.com/bitssim/bitssim/model"

// Helpers of the Go scenarios about JobModification.

// delivMods returns the JobModification calls of job.
func delivMods(c *C, job model.Job) []model.Event { return c.Calls(job, model.EventJobModification) }

// delivStd are the default flags plus JobModification.
const delivStd = model.BG_NOTIFY_JOB_TRANSFERRED | model.BG_NOTIFY_JOB_ERROR | model.BG_NOTIFY_JOB_MODIFICATION
