package scenario

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/bitssim/bitssim/model"
)

// getter reads one property of a job for "expect JOB NAME VALUE": check
// validates the written value, and read returns what the expectation
// wants and what the job has, as comparable strings.
type getter struct {
	hint  string
	check func(v string) error
	read  func(h model.Job, v string) (want, got string, err error)
	// at, for a time, is read instead of read: start is the moment the
	// run began, from which the value counts.
	at func(h model.Job, v string, start time.Time) (want, got string, err error)
}

// timeGetter reads one of GetTimes' times as an offset from the start of
// the run ("110s", "2m"), or none for a time not set.
func timeGetter(pick func(model.JobTimes) time.Time, what string) getter {
	return getter{
		hint: "write e.g. expect job1 " + what + " 110s (from the start of the run), or none",
		check: func(v string) error {
			if strings.EqualFold(v, "none") {
				return nil
			}
			_, err := ParseDuration(v)
			return err
		},
		at: func(h model.Job, v string, start time.Time) (string, string, error) {
			want := "none"
			if !strings.EqualFold(v, "none") {
				d, _ := ParseDuration(v)
				want = d.String()
			}
			ts, err := h.GetTimes()
			if err != nil {
				return want, "", err
			}
			t := pick(ts)
			if t.IsZero() {
				return want, "none", nil
			}
			return want, t.Sub(start).String(), nil
		},
	}
}

// durations print the way ParseDuration reads them, so that "10m" and
// "600s" compare equal.
func durationGetter(get func(model.Job) (time.Duration, error), example string) getter {
	return getter{
		hint:  "write e.g. " + example,
		check: func(v string) error { _, err := ParseDuration(v); return err },
		read: func(h model.Job, v string) (string, string, error) {
			w, _ := ParseDuration(v)
			d, err := get(h)
			return w.String(), d.String(), err
		},
	}
}

// jobGetters are the job properties an expectation can read by name.
var jobGetters = map[string]getter{
	"displayname": {hint: `write e.g. expect job1 displayname "My job"`, check: func(string) error { return nil },
		read: func(h model.Job, v string) (string, string, error) { g, err := h.GetDisplayName(); return v, g, err }},
	"description": {hint: `write e.g. expect job1 description "Updates"`, check: func(string) error { return nil },
		read: func(h model.Job, v string) (string, string, error) { g, err := h.GetDescription(); return v, g, err }},
	"priority": {hint: "use FOREGROUND, HIGH, NORMAL or LOW",
		check: func(v string) error { _, err := model.ParseJobPriority(v); return err },
		read: func(h model.Job, v string) (string, string, error) {
			w, _ := model.ParseJobPriority(v)
			g, err := h.GetPriority()
			return w.String(), g.String(), err
		}},
	"type": {hint: "use download, upload or upload_reply",
		check: func(v string) error { _, err := model.ParseJobType(v); return err },
		read: func(h model.Job, v string) (string, string, error) {
			w, _ := model.ParseJobType(v)
			g, err := h.GetType()
			return w.String(), g.String(), err
		}},
	"errorcount": {hint: "write e.g. expect job1 errorcount 2",
		check: func(v string) error { _, err := strconv.ParseUint(v, 10, 32); return err },
		read: func(h model.Job, v string) (string, string, error) {
			g, err := h.GetErrorCount()
			return v, strconv.FormatUint(uint64(g), 10), err
		}},
	// protocol: GetError's IBackgroundCopyError::GetProtocol, "http" or
	// "file" (SMB) as FILE-ERROR-PROTOCOL says, or none for an error
	// about no transfer protocol.
	"protocol": {hint: "write e.g. expect job1 protocol http (file for SMB, none for an error of no protocol)",
		check: func(string) error { return nil },
		read: func(h model.Job, v string) (string, string, error) {
			e, err := h.GetError()
			if err != nil {
				return strings.ToLower(v), "", err
			}
			got := e.Protocol
			if got == "" {
				got = "none"
			}
			return strings.ToLower(v), strings.ToLower(got), nil
		}},
	"retrydelay":        durationGetter(model.Job.GetMinimumRetryDelay, "expect job1 retrydelay 10m"),
	"noprogresstimeout": durationGetter(model.Job.GetNoProgressTimeout, "expect job1 noprogresstimeout 14d"),
	"maxdownloadtime":   durationGetter(model.Job.GetMaximumDownloadTime, "expect job1 maxdownloadtime 90d"),
	"created":           timeGetter(func(t model.JobTimes) time.Time { return t.CreationTime }, "created"),
	"modified":          timeGetter(func(t model.JobTimes) time.Time { return t.ModificationTime }, "modified"),
	"transferred":       timeGetter(func(t model.JobTimes) time.Time { return t.TransferCompletionTime }, "transferred"),
}

// fileGetters are the properties of one file ("expect JOB file N NAME
// VALUE", N from 1 in the order the files were added).
var fileGetters = map[string]getter{
	"validation": boolFileGetter(model.File.GetValidationState),
	"peer":       boolFileGetter(model.File.IsDownloadedFromPeer),
	"completed": boolFileGetter(func(f model.File) (bool, error) {
		p, err := f.GetProgress()
		return p.Completed, err
	}),
	"bytes": {hint: "write e.g. expect job1 file 1 bytes 1024/1024 (TOTAL may be unknown)",
		check: checkFraction,
		read: func(h model.Job, v string) (string, string, error) {
			f, err := fileOf(h, v)
			if err != nil {
				return "", "", err
			}
			p, err := f.GetProgress()
			total := strconv.FormatUint(p.BytesTotal, 10)
			if p.BytesTotal == model.BG_SIZE_UNKNOWN {
				total = "unknown"
			}
			_, want, _ := strings.Cut(v, " ")
			done, wt, _ := strings.Cut(want, "/")
			return done + "/" + strings.ToLower(wt), fmt.Sprintf("%d/%s", p.BytesTransferred, total), err
		}},
	// tempdir: the directory of GetTemporaryName (up to its last
	// backslash or slash, kept), for a name other than the local one.
	"tempdir": {hint: `write e.g. expect job1 file 1 tempdir C:\dl\ (the directory of the temporary file)`,
		check: func(v string) error {
			if !strings.HasSuffix(v, `\`) && !strings.HasSuffix(v, "/") {
				return fmt.Errorf("a directory ends with a backslash")
			}
			return nil
		},
		read: func(h model.Job, v string) (string, string, error) {
			f, err := fileOf(h, v)
			if err != nil {
				return "", "", err
			}
			_, want, _ := strings.Cut(v, " ")
			tmp, err := f.GetTemporaryName()
			if err != nil {
				return want, "", err
			}
			if local, err := f.GetLocalName(); err == nil && strings.EqualFold(local, tmp) {
				return want, "the local name itself: " + tmp, nil
			}
			return want, tmp[:strings.LastIndexAny(tmp, `\/`)+1], nil
		}},
	"local":  nameFileGetter(model.File.GetLocalName, `write e.g. expect job1 file 1 local C:\dl\f.bin`),
	"remote": nameFileGetter(model.File.GetRemoteName, "write e.g. expect job1 file 1 remote http://server/f.bin"),
	"ranges": {hint: "write e.g. expect job1 file 1 ranges 0+100,200+EOF, or none",
		check: func(v string) error {
			if strings.EqualFold(v, "none") {
				return nil
			}
			_, err := parseRanges(v)
			return err
		},
		read: func(h model.Job, v string) (string, string, error) {
			f, err := fileOf(h, v)
			if err != nil {
				return "", "", err
			}
			rs, err := f.GetFilledFileRanges()
			_, want, _ := strings.Cut(v, " ")
			return rangesString(mustRanges(want)), rangesString(rs), err
		}},
}

func boolFileGetter(get func(model.File) (bool, error)) getter {
	return getter{
		hint:  "write true or false",
		check: func(v string) error { _, err := strconv.ParseBool(v); return err },
		read: func(h model.Job, v string) (string, string, error) {
			f, err := fileOf(h, v)
			if err != nil {
				return "", "", err
			}
			_, want, _ := strings.Cut(v, " ")
			w, _ := strconv.ParseBool(want)
			g, err := get(f)
			return strconv.FormatBool(w), strconv.FormatBool(g), err
		},
	}
}

// nameFileGetter reads one of a file's names, compared as written
// (the runner maps a remote URL to the backend's own first).
func nameFileGetter(get func(model.File) (string, error), hint string) getter {
	return getter{hint: hint, check: func(string) error { return nil },
		read: func(h model.Job, v string) (string, string, error) {
			f, err := fileOf(h, v)
			if err != nil {
				return "", "", err
			}
			_, want, _ := strings.Cut(v, " ")
			got, err := get(f)
			return want, got, err
		}}
}

// fileOf returns the file whose position starts v ("2 true": the second).
func fileOf(h model.Job, v string) (model.File, error) {
	pos, _, _ := strings.Cut(v, " ")
	n, _ := strconv.Atoi(pos)
	files, err := h.EnumFiles()
	if err != nil {
		return nil, err
	}
	if n < 1 || n > len(files) {
		return nil, fmt.Errorf("the job has %d file(s), not a file %d", len(files), n)
	}
	return files[n-1], nil
}

func checkFraction(v string) error {
	done, total, ok := strings.Cut(v, "/")
	if _, err := strconv.ParseUint(done, 10, 64); err != nil || !ok {
		return fmt.Errorf("not a count of the form TRANSFERRED/TOTAL: %q", v)
	}
	if _, err := strconv.ParseUint(total, 10, 64); err != nil && !strings.EqualFold(total, "unknown") {
		return fmt.Errorf("not a count of the form TRANSFERRED/TOTAL: %q", v)
	}
	return nil
}

// parseRanges reads "OFFSET+LENGTH,OFFSET+EOF" (FileRange's String form).
func parseRanges(s string) ([]model.FileRange, error) {
	var out []model.FileRange
	for _, part := range strings.Split(s, ",") {
		off, length, ok := strings.Cut(strings.TrimSpace(part), "+")
		o, err := strconv.ParseUint(off, 10, 64)
		if !ok || err != nil {
			return nil, fmt.Errorf("a range is OFFSET+LENGTH or OFFSET+EOF, not %q", part)
		}
		r := model.FileRange{InitialOffset: o, Length: model.BG_LENGTH_TO_EOF}
		if !strings.EqualFold(length, "EOF") {
			if r.Length, err = strconv.ParseUint(length, 10, 64); err != nil {
				return nil, fmt.Errorf("a range is OFFSET+LENGTH or OFFSET+EOF, not %q", part)
			}
		}
		out = append(out, r)
	}
	return out, nil
}

func mustRanges(s string) []model.FileRange {
	rs, _ := parseRanges(s)
	return rs
}

func rangesString(rs []model.FileRange) string {
	if len(rs) == 0 {
		return "none"
	}
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = r.String()
	}
	return strings.Join(parts, ",")
}

// sortedRanges returns a copy of rs in order of offset (then length).
func sortedRanges(rs []model.FileRange) []model.FileRange {
	out := append([]model.FileRange(nil), rs...)
	sort.Slice(out, func(i, j int) bool {
		if out[i].InitialOffset != out[j].InitialOffset {
			return out[i].InitialOffset < out[j].InitialOffset
		}
		return out[i].Length < out[j].Length
	})
	return out
}

// mergeRanges returns rs in order of offset with overlapping and adjacent
// ranges joined: the bytes they cover.
func mergeRanges(rs []model.FileRange) []model.FileRange {
	var out []model.FileRange
	for _, r := range sortedRanges(rs) {
		if n := len(out); n > 0 {
			last := &out[n-1]
			if last.Length == model.BG_LENGTH_TO_EOF {
				continue
			}
			if end := last.InitialOffset + last.Length; r.InitialOffset <= end {
				switch {
				case r.Length == model.BG_LENGTH_TO_EOF:
					last.Length = model.BG_LENGTH_TO_EOF
				case r.InitialOffset+r.Length > end:
					last.Length = r.InitialOffset + r.Length - last.InitialOffset
				}
				continue
			}
		}
		out = append(out, r)
	}
	return out
}

// filesInOrder is the value of expect JOB files in order.
const filesInOrder = "in order"

// inOrder reads the progress of every file of h and returns "in order"
// when the files are transferred one at a time in the order they were
// added (FILE-FIFO): those complete come first, then at most one partly
// transferred, then files with no byte; otherwise it says which file
// broke the order.
func inOrder(h model.Job) (string, error) {
	files, err := h.EnumFiles()
	if err != nil {
		return "", fmt.Errorf("EnumFiles: %w", err)
	}
	open := 0 // the first file not complete, from 1; 0: none yet
	for i, f := range files {
		p, err := f.GetProgress()
		if err != nil {
			return "", fmt.Errorf("file %d: GetProgress: %w", i+1, err)
		}
		switch {
		case open != 0 && (p.Completed || p.BytesTransferred > 0):
			return fmt.Sprintf("file %d has %d bytes while file %d is not complete", i+1, p.BytesTransferred, open), nil
		case !p.Completed && open == 0:
			open = i + 1
		}
	}
	return filesInOrder, nil
}
