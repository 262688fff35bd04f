package comserver

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitssim/bitssim/model"
	"github.com/bitssim/bitssim/sim"
)

// The remote-name forms BG_FILE_INFO gives for SMB, and only those, are
// sources the server reads itself.
func TestLocalSource(t *testing.T) {
	for remote, want := range map[string]string{
		`C:\Users\alice\Temp\qmgr1.tmp`:     `C:\Users\alice\Temp\qmgr1.tmp`,
		`d:/share/e.bin`:                    `d:/share/e.bin`,
		`\\server\share\c.bin`:              `\\server\share\c.bin`,
		`file://C:\Users\alice\Temp\q2.tmp`: `C:\Users\alice\Temp\q2.tmp`,
		"file:///C:/share/g.bin":            "C:/share/g.bin",
		"FILE://server/share/h.bin":         `\\server\share\h.bin`,
		`file://\\server\share\i.bin`:       `\\server\share\i.bin`,
		"file:///tmp/bitssim/j.bin":         "/tmp/bitssim/j.bin",
	} {
		got, ok := LocalSource(remote)
		assert.True(t, ok, remote)
		assert.Equal(t, want, got, remote)
	}
	for _, remote := range []string{"http://server/a.bin", "https://127.0.0.1/b", "ftp://server/x", "x.bin", "file://", "C:x", ""} {
		_, ok := LocalSource(remote)
		assert.False(t, ok, remote)
	}
}

// A local source is probed on every call: its size now, or a fatal
// ERROR_FILE_NOT_FOUND (0x80070002) once it is gone.
func TestProbeLocalSource(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "src.bin")
	require.NoError(t, os.WriteFile(src, []byte("This is a WINE test file for BITS\n"), 0o600))
	remote := "file://" + src

	svc, err := sim.New(sim.Options{Clock: sim.Manual})
	require.NoError(t, err)
	t.Cleanup(func() { svc.Close() })
	p := &Prober{}
	require.NoError(t, p.Probe(svc, remote))
	app, err := svc.StartApp("app", model.Account{Name: "alice"})
	require.NoError(t, err)
	j, err := app.CreateJob("local", model.BG_JOB_TYPE_DOWNLOAD)
	require.NoError(t, err)
	require.NoError(t, j.AddFile(remote, filepath.Join(dir, "dst.bin")))
	require.NoError(t, j.Resume())
	require.NoError(t, svc.RunUntilIdle())
	st, err := j.GetState()
	require.NoError(t, err)
	assert.Equal(t, model.BG_JOB_STATE_TRANSFERRED, st)
	prog, err := j.GetProgress()
	require.NoError(t, err)
	assert.Equal(t, uint64(34), prog.BytesTotal, "the file's own size")

	require.NoError(t, os.Remove(src))
	require.NoError(t, p.Probe(svc, remote), "asked again")
	j2, err := app.CreateJob("gone", model.BG_JOB_TYPE_DOWNLOAD)
	require.NoError(t, err)
	require.NoError(t, j2.AddFile(remote, filepath.Join(dir, "dst2.bin")))
	require.NoError(t, j2.Resume())
	require.NoError(t, svc.RunUntilIdle())
	st, err = j2.GetState()
	require.NoError(t, err)
	assert.Equal(t, model.BG_JOB_STATE_ERROR, st, "a missing SMB source is a fatal error")
}

// After Complete the files exist under their local names with their
// sources' content: a local file copied, a loopback URL fetched; a source
// with no content the server can read is skipped and said so.
func TestWriteFiles(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "src.bin")
	require.NoError(t, os.WriteFile(src, []byte("local content"), 0o600))
	hts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/gone" {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write([]byte("served content"))
	}))
	t.Cleanup(hts.Close)

	svc, err := sim.New(sim.Options{Clock: sim.Manual})
	require.NoError(t, err)
	t.Cleanup(func() { svc.Close() })
	app, err := svc.StartApp("app", model.Account{Name: "alice"})
	require.NoError(t, err)
	j, err := app.CreateJob("write", model.BG_JOB_TYPE_DOWNLOAD)
	require.NoError(t, err)
	local1, local2, local3 := filepath.Join(dir, "1.bin"), filepath.Join(dir, "2.bin"), filepath.Join(dir, "3.bin")
	require.NoError(t, j.AddFile("file://"+src, local1))
	require.NoError(t, j.AddFile(hts.URL+"/x", local2))
	require.NoError(t, j.AddFile("https://example.invalid/y", local3))
	before, err := CompletedFiles(j)
	require.NoError(t, err)
	assert.Empty(t, before, "nothing is transferred before Resume")
	require.NoError(t, j.Resume())
	require.NoError(t, svc.RunUntilIdle())
	files, err := CompletedFiles(j)
	require.NoError(t, err)
	require.Len(t, files, 3)

	skipped, err := WriteFiles(files, hts.Client())
	require.NoError(t, err)
	assert.Equal(t, []string{local3}, skipped)
	got, err := os.ReadFile(local1)
	require.NoError(t, err)
	assert.Equal(t, "local content", string(got))
	got, err = os.ReadFile(local2)
	require.NoError(t, err)
	assert.Equal(t, "served content", string(got))
	assert.NoFileExists(t, local3)

	// What cannot be written is an error naming it; the rest is written.
	local4, local5 := filepath.Join(dir, "4.bin"), filepath.Join(dir, "5.bin")
	_, err = WriteFiles([]model.FileInfo{
		{RemoteName: "file://" + filepath.Join(dir, "missing.bin"), LocalName: local4},
		{RemoteName: hts.URL + "/gone", LocalName: filepath.Join(dir, "6.bin")},
		{RemoteName: "file://" + src, LocalName: local5},
	}, hts.Client())
	require.Error(t, err)
	assert.Contains(t, err.Error(), local4)
	assert.Contains(t, err.Error(), "404")
	assert.NoFileExists(t, local4)
	assert.FileExists(t, local5)

	// An upload job's files are not written locally.
	up, err := app.CreateJob("up", model.BG_JOB_TYPE_UPLOAD)
	require.NoError(t, err)
	none, err := CompletedFiles(up)
	require.NoError(t, err)
	assert.Empty(t, none)
}
