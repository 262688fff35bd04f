package sim

// PowerLoss restarts the service as after an unexpected shutdown, such as
// a power loss: like Restart, except that a job with
// BITS_JOB_PROPERTY_HIGH_PERFORMANCE that was CONNECTING or TRANSFERRING
// loses its transfer progress, because BITS did not persist it, and
// transfers from the beginning (PERSIST-HIGH-PERFORMANCE). A
// BITS_JOB_PROPERTY_DYNAMIC_CONTENT job restarts the download of its
// unfinished file after either kind of restart (PERSIST-JOBS).
func (s *Service) PowerLoss() error { return s.restart(true) }

// interrupted forgets the partial progress of a BITS_JOB_PROPERTY_DYNAMIC_CONTENT
// job whose transfer stopped before it finished: BITS cannot resume such a
// download and restarts it from the beginning (PERSIST-JOBS). s.mu is held.
func (j *job) interrupted() {
	if !j.rec.DynamicContent {
		return
	}
	for i := range j.rec.Files {
		if f := &j.rec.Files[i]; !f.Completed {
			f.BytesTransferred = 0
		}
	}
}

// forgetProgress makes a job transfer again from the beginning, as a
// BITS_JOB_PROPERTY_HIGH_PERFORMANCE job does after an unexpected shutdown
// during a transfer (PERSIST-HIGH-PERFORMANCE).
func (j *job) forgetProgress() {
	for i := range j.rec.Files {
		f := &j.rec.Files[i]
		f.BytesTransferred, f.Completed, f.PendingFileTransferred = 0, false, false
	}
}
