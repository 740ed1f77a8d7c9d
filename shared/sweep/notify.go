package sweep

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// The expiry notice's identity on the event bus; rules match on these.
const (
	NoticeSource     = "keymint"
	NoticeDetailType = "keymint.token.expiring"
)

// Notice tells a token's owner that the token expires soon.
type Notice struct {
	TokenID   string
	Owner     string
	Name      string
	ExpiresAt time.Time
	// At is the sweep's moment, used as the event time.
	At time.Time
}

// noticeDetail is the event's detail: the contract consumers parse.
type noticeDetail struct {
	TokenID   string `json:"tokenId"`
	Owner     string `json:"owner"`
	Name      string `json:"name"`
	ExpiresAt string `json:"expiresAt"`
}

func (n Notice) detail() ([]byte, error) {
	b, err := json.Marshal(noticeDetail{
		TokenID:   n.TokenID,
		Owner:     n.Owner,
		Name:      n.Name,
		ExpiresAt: n.ExpiresAt.UTC().Format(time.RFC3339),
	})
	if err != nil {
		return nil, fmt.Errorf("sweep: encode notice for %s: %w", n.TokenID, err)
	}
	return b, nil
}

// Notifier delivers expiry notices. It returns nil when every notice was
// accepted, a *DeliveryError naming the ones that were not, or any other
// error when it cannot tell (the sweeper then treats all as undelivered).
type Notifier interface {
	Notify(ctx context.Context, notices []Notice) error
}

// FileNotifier appends notices as JSON lines to a local file: the stand-in
// for the event bus when none is configured (local stack).
type FileNotifier struct {
	path string
}

// NewFileNotifier appends to path, creating it (0600) and its folder on
// first use.
func NewFileNotifier(path string) *FileNotifier { return &FileNotifier{path: path} }

// fileLine mirrors the EventBridge event a rule target would receive, so a
// local consumer parses the same shape.
type fileLine struct {
	Source     string          `json:"source"`
	DetailType string          `json:"detail-type"`
	Time       string          `json:"time"`
	Detail     json.RawMessage `json:"detail"`
}

// Notify appends one line per notice. All lines go out in one write on an
// O_APPEND file, so concurrent sweeps do not interleave partial lines.
func (f *FileNotifier) Notify(_ context.Context, notices []Notice) error {
	if len(notices) == 0 {
		return nil
	}
	var buf []byte
	for _, n := range notices {
		d, err := n.detail()
		if err != nil {
			return err
		}
		line, err := json.Marshal(fileLine{Source: NoticeSource, DetailType: NoticeDetailType, Time: n.At.UTC().Format(time.RFC3339), Detail: d})
		if err != nil {
			return fmt.Errorf("sweep: encode notice line: %w", err)
		}
		buf = append(append(buf, line...), '\n')
	}
	if err := os.MkdirAll(filepath.Dir(f.path), 0o700); err != nil {
		return fmt.Errorf("sweep: notice folder: %w", err)
	}
	fh, err := os.OpenFile(f.path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("sweep: open notices file: %w", err)
	}
	if _, err := fh.Write(buf); err != nil {
		fh.Close()
		return fmt.Errorf("sweep: append notices: %w", err)
	}
	if err := fh.Close(); err != nil {
		return fmt.Errorf("sweep: close notices file: %w", err)
	}
	return nil
}
