package keyring

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Source yields the raw keyring document. Its errors reach Keyring callers
// as they are, so they should say what was being read. The deployed one,
// Secrets Manager, is shared/keyring/awssecret's, so that only functions
// that hash or verify link its SDK.
type Source interface {
	Load(ctx context.Context) ([]byte, error)
}

var (
	_ Source = (*FileSource)(nil)
	_ Source = StaticSource(nil)
)

// FileSource reads the keyring from a local file, for running without AWS.
type FileSource struct {
	path string
}

// NewFileSource reads the keyring at path on every Load.
func NewFileSource(path string) *FileSource { return &FileSource{path: path} }

// Load reads the file.
func (f *FileSource) Load(context.Context) ([]byte, error) {
	b, err := os.ReadFile(f.path)
	if err != nil {
		return nil, fmt.Errorf("keyring: reading keyring file: %w", err)
	}
	return b, nil
}

// StaticSource is a fixed keyring document, for tests and tools.
type StaticSource []byte

// Load returns the document.
func (s StaticSource) Load(context.Context) ([]byte, error) { return s, nil }

// EnsureFile creates a keyring file at path holding one random key "k1",
// unless a file is already there. The directory is created 0700 and the file
// 0600. The file appears atomically and complete: it is written under a
// temporary name and hard-linked into place, and the link fails if the path
// exists, so concurrent callers never clobber each other or see a partial
// file; exactly one of them reports created.
func EnsureFile(path string) (created bool, err error) {
	if _, err := os.Lstat(path); err == nil {
		return false, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return false, fmt.Errorf("keyring: checking keyring file: %w", err)
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return false, fmt.Errorf("keyring: creating keyring directory: %w", err)
	}
	doc, err := newKeyringJSON(rand.Reader, "k1")
	if err != nil {
		return false, err
	}

	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return false, fmt.Errorf("keyring: creating temporary keyring file: %w", err)
	}
	tmpName := tmp.Name()
	defer os.Remove(tmpName)
	// CreateTemp already uses 0600, but say so explicitly: this file holds
	// the pepper.
	if err := tmp.Chmod(0o600); err != nil {
		_ = tmp.Close()
		return false, fmt.Errorf("keyring: restricting keyring file: %w", err)
	}
	if _, err := tmp.Write(doc); err != nil {
		_ = tmp.Close()
		return false, fmt.Errorf("keyring: writing keyring file: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		_ = tmp.Close()
		return false, fmt.Errorf("keyring: writing keyring file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return false, fmt.Errorf("keyring: writing keyring file: %w", err)
	}

	err = os.Link(tmpName, path)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, fs.ErrExist):
		return false, nil
	}
	// Some file systems (certain container bind mounts) refuse hard links;
	// fall back to an exclusive create, which still never clobbers but may
	// briefly expose a partly written file.
	return createExclusive(path, doc)
}

func createExclusive(path string, doc []byte) (bool, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("keyring: creating keyring file: %w", err)
	}
	if _, err := f.Write(doc); err != nil {
		_ = f.Close()
		_ = os.Remove(path)
		return false, fmt.Errorf("keyring: writing keyring file: %w", err)
	}
	if err := f.Close(); err != nil {
		_ = os.Remove(path)
		return false, fmt.Errorf("keyring: writing keyring file: %w", err)
	}
	return true, nil
}
