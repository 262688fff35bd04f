package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"github.com/bitssim/bitssim/model"
)

// FileStore is a Store in a JSON file, rewritten atomically (a temporary
// file renamed over it) on every change.
type FileStore struct {
	path string
	mu   sync.Mutex
}

// storeData is the file's content.
type storeData struct {
	Installed map[string]string `json:"installed"` // version → path
	Failed    map[string]string `json:"failed"`    // version → error
}

// NewFileStore returns a store kept in the file at path.
func NewFileStore(path string) *FileStore { return &FileStore{path: path} }

func (s *FileStore) load() (storeData, error) {
	d := storeData{Installed: map[string]string{}, Failed: map[string]string{}}
	b, err := os.ReadFile(s.path)
	if errors.Is(err, fs.ErrNotExist) {
		return d, nil
	}
	if err != nil {
		return d, fmt.Errorf("store: %w", err)
	}
	if err := json.Unmarshal(b, &d); err != nil {
		return d, fmt.Errorf("store %s: %w", s.path, err)
	}
	if d.Installed == nil {
		d.Installed = map[string]string{}
	}
	if d.Failed == nil {
		d.Failed = map[string]string{}
	}
	return d, nil
}

func (s *FileStore) save(d storeData) error {
	b, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(s.path), ".store-*")
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	_, err = tmp.Write(b)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), s.path)
	}
	if err != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("store %s: %w", s.path, err)
	}
	return nil
}

// Installed reports whether version is recorded as installed.
func (s *FileStore) Installed(version string) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, err := s.load()
	_, ok := d.Installed[version]
	return ok, err
}

// Record records version as installed from path.
func (s *FileStore) Record(version, path string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, err := s.load()
	if err != nil {
		return err
	}
	d.Installed[version] = path
	return s.save(d)
}

// Failed records that version could not be downloaded.
func (s *FileStore) Failed(version string, jobErr model.JobError) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, err := s.load()
	if err != nil {
		return err
	}
	d.Failed[version] = jobErr.Code.Name()
	return s.save(d)
}
