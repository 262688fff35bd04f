package scenario

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bitssim/bitssim/model"
)

// progressJob is a job whose files report the progress given.
type progressJob struct {
	model.Job // nil: only EnumFiles is called
	files     []model.FileProgress
}

func (j progressJob) EnumFiles() ([]model.File, error) {
	out := make([]model.File, len(j.files))
	for i, p := range j.files {
		out[i] = progressFile{p: p}
	}
	return out, nil
}

type progressFile struct {
	model.File
	p model.FileProgress
}

func (f progressFile) GetProgress() (model.FileProgress, error) { return f.p, nil }

// FILE-FIFO: "BITS transfers the files of a job one at a time in the
// order they were added": complete files first, at most one part-way,
// none after it with a byte.
func TestInOrder(t *testing.T) {
	done := model.FileProgress{BytesTotal: 10, BytesTransferred: 10, Completed: true}
	part := model.FileProgress{BytesTotal: 10, BytesTransferred: 4}
	none := model.FileProgress{BytesTotal: model.BG_SIZE_UNKNOWN}
	for _, tc := range []struct {
		files []model.FileProgress
		want  string
	}{
		{nil, "in order"},
		{[]model.FileProgress{none, none, none}, "in order"},
		{[]model.FileProgress{part, none, none}, "in order"},
		{[]model.FileProgress{done, part, none}, "in order"},
		{[]model.FileProgress{done, done, done}, "in order"},
		{[]model.FileProgress{none, part, none}, "file 2 has 4 bytes while file 1 is not complete"},
		{[]model.FileProgress{part, part, none}, "file 2 has 4 bytes while file 1 is not complete"},
		{[]model.FileProgress{done, none, done}, "file 3 has 10 bytes while file 2 is not complete"},
		{[]model.FileProgress{none, none, {Completed: true}}, "file 3 has 0 bytes while file 1 is not complete"},
	} {
		got, err := inOrder(progressJob{files: tc.files})
		require.NoError(t, err)
		assert.Equal(t, tc.want, got, "%+v", tc.files)
	}
}
