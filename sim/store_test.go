package sim

import (
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// storeCase builds a fresh store of one kind.
type storeCase struct {
	name string
	make func(t *testing.T) Store
}

func storeCases() []storeCase {
	return []storeCase{
		{"memory", func(t *testing.T) Store { return NewMemoryStore() }},
		{"file", func(t *testing.T) Store { return NewFileStore(filepath.Join(t.TempDir(), "state.bin")) }},
	}
}

func TestStoreLoadBeforeSave(t *testing.T) {
	for _, c := range storeCases() {
		t.Run(c.name, func(t *testing.T) {
			st := c.make(t)
			data, err := st.Load()
			require.NoError(t, err)
			assert.Nil(t, data)

			snap, err := loadSnapshot(st)
			require.NoError(t, err)
			assert.Nil(t, snap)
		})
	}
}

func TestStoreSaveLoadReplace(t *testing.T) {
	for _, c := range storeCases() {
		t.Run(c.name, func(t *testing.T) {
			st := c.make(t)
			require.NoError(t, st.Save([]byte("first version")))
			data, err := st.Load()
			require.NoError(t, err)
			assert.Equal(t, []byte("first version"), data)

			require.NoError(t, st.Save([]byte("second")))
			data, err = st.Load()
			require.NoError(t, err)
			assert.Equal(t, []byte("second"), data, "Save replaces the data entirely")

			require.NoError(t, st.Save(nil))
			data, err = st.Load()
			require.NoError(t, err)
			assert.NotNil(t, data, "saved-empty differs from never-saved")
			assert.Empty(t, data)
		})
	}
}

func TestStoreSnapshotRoundTrip(t *testing.T) {
	for _, c := range storeCases() {
		t.Run(c.name, func(t *testing.T) {
			st := c.make(t)
			require.NoError(t, saveSnapshot(st, fullSnapshot()))
			got, err := loadSnapshot(st)
			require.NoError(t, err)
			assert.Equal(t, fullSnapshot(), got)
		})
	}
}

func TestMemoryStoreKeepsPrivateCopies(t *testing.T) {
	st := NewMemoryStore()
	in := []byte("abc")
	require.NoError(t, st.Save(in))
	in[0] = 'X'
	out, err := st.Load()
	require.NoError(t, err)
	assert.Equal(t, []byte("abc"), out, "changing the saved slice does not change the store")
	out[1] = 'Y'
	again, err := st.Load()
	require.NoError(t, err)
	assert.Equal(t, []byte("abc"), again, "changing a loaded slice does not change the store")
}

func TestMemoryStoreConcurrentUse(t *testing.T) {
	st := NewMemoryStore()
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			for k := 0; k < 100; k++ {
				assert.NoError(t, st.Save([]byte{byte(i), byte(k)}))
				data, err := st.Load()
				assert.NoError(t, err)
				assert.Len(t, data, 2)
			}
		}(i)
	}
	wg.Wait()
}

func TestStoreString(t *testing.T) {
	assert.Equal(t, "memory store", NewMemoryStore().String())
	fs := NewFileStore("/path/x")
	assert.Equal(t, "file store /path/x", fs.String())
	assert.Equal(t, "/path/x", fs.Path())
}

func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func TestFileStoreLeavesNoTempFiles(t *testing.T) {
	dir := t.TempDir()
	st := NewFileStore(filepath.Join(dir, "state.bin"))
	for i := 0; i < 3; i++ {
		require.NoError(t, saveSnapshot(st, fullSnapshot()))
		assert.Equal(t, []string{"state.bin"}, dirNames(t, dir))
	}
}

func TestFileStoreSurvivesANewStoreOnTheSamePath(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.bin")
	require.NoError(t, saveSnapshot(NewFileStore(path), fullSnapshot()))
	got, err := loadSnapshot(NewFileStore(path))
	require.NoError(t, err)
	assert.Equal(t, fullSnapshot(), got)
}

func TestFileStoreIgnoresStrayTempFiles(t *testing.T) {
	// What a crash between CreateTemp and Rename leaves behind.
	dir := t.TempDir()
	path := filepath.Join(dir, "state.bin")
	st := NewFileStore(path)
	require.NoError(t, st.Save([]byte("old")))
	require.NoError(t, os.WriteFile(path+".tmp-123456", []byte("half-writ"), 0o600))
	data, err := st.Load()
	require.NoError(t, err)
	assert.Equal(t, []byte("old"), data)
}

func TestFileStoreCorruptDataNamesTheFile(t *testing.T) {
	enc := encodeSnapshot(fullSnapshot())
	flipped := append([]byte(nil), enc...)
	flipped[len(flipped)/2] ^= 0x10
	cases := map[string][]byte{
		"truncated to zero": {},
		"truncated":         enc[:len(enc)-1],
		"truncated header":  enc[:5],
		"byte flipped":      flipped,
		"not a snapshot":    []byte("{\"jobs\": []}\n"),
	}
	for name, content := range cases {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "state.bin")
			require.NoError(t, os.WriteFile(path, content, 0o600))
			snap, err := loadSnapshot(NewFileStore(path))
			require.Error(t, err)
			assert.Nil(t, snap)
			assert.ErrorContains(t, err, path)
			assert.ErrorContains(t, err, "decode snapshot")
		})
	}
}

func TestFileStoreLoadErrorNamesTheFile(t *testing.T) {
	// A directory where the file should be cannot be read.
	path := filepath.Join(t.TempDir(), "state.bin")
	require.NoError(t, os.Mkdir(path, 0o700))
	st := NewFileStore(path)
	_, err := st.Load()
	require.Error(t, err)
	assert.ErrorContains(t, err, path)
	_, err = loadSnapshot(st)
	assert.ErrorContains(t, err, "file store "+path)
}

func TestFileStoreSaveIntoMissingDirectory(t *testing.T) {
	root := t.TempDir()
	missing := filepath.Join(root, "missing")
	st := NewFileStore(filepath.Join(missing, "state.bin"))
	err := st.Save([]byte("data"))
	require.Error(t, err)
	assert.ErrorContains(t, err, missing)
	assert.NoDirExists(t, missing)
	assert.Empty(t, dirNames(t, root), "nothing is left behind")

	err = saveSnapshot(st, &snapshot{})
	assert.ErrorContains(t, err, "file store "+st.Path())
}

func TestFileStoreFailedRenameRemovesTempFile(t *testing.T) {
	// A non-empty directory at the path makes the rename fail after the
	// temporary file was written.
	dir := t.TempDir()
	path := filepath.Join(dir, "state.bin")
	require.NoError(t, os.Mkdir(path, 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(path, "keep"), nil, 0o600))
	err := NewFileStore(path).Save([]byte("data"))
	require.Error(t, err)
	assert.Equal(t, []string{"state.bin"}, dirNames(t, dir), "the temporary file was removed")
}
