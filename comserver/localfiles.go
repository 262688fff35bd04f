package comserver

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/bitssim/bitssim/model"
	"github.com/bitssim/bitssim/sim"
)

// LocalSource returns the file-system path of a remote name the server can
// read itself, as BITS reads an SMB source: a full path with a drive letter
// (C:\dir\file), a UNC path (\\server\share\file), or a file:// URL of
// either (file://C:\dir\file, file:///C:/dir/file, file://server/share/file),
// and, so that the server's tests run on any OS, a file:// URL of an
// absolute Unix path (file:///tmp/file). ok is false for any other name.
func LocalSource(remote string) (path string, ok bool) {
	switch {
	case isDrivePath(remote), strings.HasPrefix(remote, `\\`):
		return remote, true
	case len(remote) > len("file://") && strings.EqualFold(remote[:len("file://")], "file://"):
		rest := remote[len("file://"):]
		switch {
		case isDrivePath(rest):
			return rest, true
		case strings.HasPrefix(rest, "/") && isDrivePath(rest[1:]):
			return rest[1:], true
		case strings.HasPrefix(rest, "/"):
			return rest, true
		case strings.HasPrefix(rest, `\\`):
			return rest, true
		default: // file://server/share/file
			return `\\` + strings.ReplaceAll(rest, "/", `\`), true
		}
	}
	return "", false
}

// isDrivePath reports whether p is a full path with a drive letter.
func isDrivePath(p string) bool {
	return len(p) >= 3 && p[1] == ':' && (p[2] == '\\' || p[2] == '/') &&
		(p[0] >= 'A' && p[0] <= 'Z' || p[0] >= 'a' && p[0] <= 'z')
}

// errFileNotFound is what BITS reports for an SMB source that does not
// exist: HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND), a fatal error.
var errFileNotFound = model.HRESULTFromWin32(2)

// probeLocal scripts svc's remote for a local source from the file as it
// is now: its size, or a fatal ERROR_FILE_NOT_FOUND when it is missing or
// not a regular file. Unlike a loopback URL it is asked every time: a test
// may rewrite the file between jobs.
func probeLocal(svc *sim.Service, remote, path string) error {
	info, err := os.Stat(path)
	switch {
	case err == nil && info.Mode().IsRegular():
		return svc.SetRemote(remote, sim.Remote{Size: uint64(info.Size())})
	case err == nil || errors.Is(err, fs.ErrNotExist):
		return svc.SetRemote(remote, sim.Remote{Fatal: errFileNotFound})
	default:
		return fmt.Errorf("comserver: probing %s: %w", path, err)
	}
}

// CompletedFiles returns the files of a download job that the simulator
// has transferred, for WriteFiles after a successful Complete. Any other
// job has none (an upload's files are not written locally).
func CompletedFiles(j model.Job) ([]model.FileInfo, error) {
	typ, err := j.GetType()
	if err != nil {
		return nil, fmt.Errorf("comserver: GetType: %w", err)
	}
	if typ != model.BG_JOB_TYPE_DOWNLOAD {
		return nil, nil
	}
	files, err := j.EnumFiles()
	if err != nil {
		return nil, fmt.Errorf("comserver: EnumFiles: %w", err)
	}
	var out []model.FileInfo
	for _, f := range files {
		p, err := f.GetProgress()
		if err != nil {
			return nil, fmt.Errorf("comserver: GetProgress: %w", err)
		}
		if !p.Completed {
			continue
		}
		remote, err := f.GetRemoteName()
		if err != nil {
			return nil, fmt.Errorf("comserver: GetRemoteName: %w", err)
		}
		local, err := f.GetLocalName()
		if err != nil {
			return nil, fmt.Errorf("comserver: GetLocalName: %w", err)
		}
		out = append(out, model.FileInfo{RemoteName: remote, LocalName: local})
	}
	return out, nil
}

// WriteFiles makes each file exist under its local name, with its
// source's content, as BITS does at Complete
// (FILE-NOT-AVAILABLE-UNTIL-COMPLETE): a local source (LocalSource) is
// copied, a loopback http(s) source is fetched with client (nil: no
// proxy, 10 s timeout). A source of any other kind has no content the
// server can know (the simulator moves no bytes), so its file is not
// written: skipped lists them. Each file is written beside its local
// name and renamed into place, so a reader never sees half a file. The
// error joins every file that could not be written; the others are.
func WriteFiles(files []model.FileInfo, client *http.Client) (skipped []string, err error) {
	var errs []error
	for _, f := range files {
		var src io.ReadCloser
		if path, ok := LocalSource(f.RemoteName); ok {
			r, err := os.Open(path)
			if err != nil {
				errs = append(errs, fmt.Errorf("comserver: writing %s: %w", f.LocalName, err))
				continue
			}
			src = r
		} else if u, perr := url.Parse(f.RemoteName); perr == nil && (u.Scheme == "http" || u.Scheme == "https") && loopbackHost(u.Hostname()) {
			c := client
			if c == nil {
				c = &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{Proxy: nil}}
			}
			resp, err := c.Get(f.RemoteName)
			if err != nil {
				errs = append(errs, fmt.Errorf("comserver: writing %s: %w", f.LocalName, err))
				continue
			}
			if resp.StatusCode < 200 || resp.StatusCode > 299 {
				resp.Body.Close()
				errs = append(errs, fmt.Errorf("comserver: writing %s: %s answered %s", f.LocalName, f.RemoteName, resp.Status))
				continue
			}
			src = resp.Body
		} else {
			skipped = append(skipped, f.LocalName)
			continue
		}
		if err := writeAtomically(f.LocalName, src); err != nil {
			errs = append(errs, fmt.Errorf("comserver: writing %s from %s: %w", f.LocalName, f.RemoteName, err))
		}
		src.Close()
	}
	return skipped, errors.Join(errs...)
}

// writeAtomically writes r to a temporary file beside name and renames it
// to name, replacing what was there.
func writeAtomically(name string, r io.Reader) error {
	tmp, err := os.CreateTemp(filepath.Dir(name), "BIT*.tmp")
	if err != nil {
		return err
	}
	_, err = io.Copy(tmp, r)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), name)
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
	return err
}
