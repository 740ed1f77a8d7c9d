package localrt

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/keymint/keymint/shared/keyring"
)

// EnsureKeyring creates the local keyring file (0600) unless it exists.
func EnsureKeyring(path string) (created bool, err error) {
	return keyring.EnsureFile(path)
}

// NewKeyringJSON is a fresh keyring document for ops to put into the
// Secrets Manager secret.
func NewKeyringJSON() ([]byte, error) {
	return keyring.NewKeyringJSON("k1")
}

// ErrNoToken means IssueFunction answered without a token.
var ErrNoToken = errors.New("localrt: IssueFunction returned no token")

// BootstrapOwner owns the local admin token.
const BootstrapOwner = "admin"

// AdminFunctions are the functions EnsureAdminToken drives by direct invoke
// (the ops path, gated by IAM on AWS and by nothing locally).
type AdminFunctions struct {
	Validate, Issue, Revoke Target
}

// EnsureAdminToken keeps the token stored at path if ValidateFunction still
// calls it active, and otherwise makes a working one: it re-enables the
// bootstrap owner (RevokeFunction's ops invoke; a no-op when it is enabled),
// so no lockout over HTTP can stop it, then issues a new admin token through
// IssueFunction's ops invoke and stores it (0600). It reports whether it
// issued.
func EnsureAdminToken(ctx context.Context, fns AdminFunctions, path string, now time.Time) (issued bool, err error) {
	if old, err := os.ReadFile(path); err == nil {
		tok := strings.TrimSpace(string(old))
		if tok != "" && tokenActive(ctx, fns.Validate, tok) {
			return false, nil
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return false, err
	}
	enable, err := json.Marshal(map[string]string{"owner": BootstrapOwner, "status": "active"})
	if err != nil {
		return false, err
	}
	if _, err := Invoke(ctx, fns.Revoke, enable); err != nil {
		return false, fmt.Errorf("localrt: re-enable owner %s: %w", BootstrapOwner, err)
	}
	req, err := json.Marshal(map[string]any{
		"owner":         BootstrapOwner,
		"name":          fmt.Sprintf("bootstrap-admin-%d", now.Unix()),
		"scopes":        []string{"tokens:admin", "tokens:read", "tokens:write"},
		"description":   "make run bootstrap admin token",
		"expiresInDays": 30,
	})
	if err != nil {
		return false, err
	}
	out, err := Invoke(ctx, fns.Issue, req)
	if err != nil {
		return false, fmt.Errorf("localrt: issue bootstrap admin token: %w", err)
	}
	var resp struct {
		Token string `json:"token"`
	}
	if err := json.Unmarshal(out, &resp); err != nil || resp.Token == "" {
		return false, fmt.Errorf("%w (answer: %.200s)", ErrNoToken, bytes.TrimSpace(out))
	}
	if err := WriteSecretFile(path, []byte(resp.Token+"\n")); err != nil {
		return false, err
	}
	return true, nil
}

func tokenActive(ctx context.Context, validate Target, tok string) bool {
	req, err := json.Marshal(map[string]string{"token": tok, "route": "GET /whoami", "sourceIp": "127.0.0.1"})
	if err != nil {
		return false
	}
	out, err := Invoke(ctx, validate, req)
	if err != nil {
		return false
	}
	var resp struct {
		Active bool `json:"active"`
	}
	return json.Unmarshal(out, &resp) == nil && resp.Active
}

// WriteSecretFile replaces path with data, mode 0600, atomically, so a
// reader never sees a half-written token.
func WriteSecretFile(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
