package extapi

import (
	"crypto/rand"
	"fmt"
	"time"

	"github.com/google/uuid"
)

// isUUID reports whether s is a UUID in its 8-4-4-4-12 form, as the
// docs' extension identifiers are.
func isUUID(s string) bool {
	_, err := uuid.Parse(s)
	return err == nil && len(s) == 36
}

// newTraceHeader is an X-Ray trace header for an unsampled request, the
// tracing value of an INVOKE event: Root=1-<epoch seconds, 8 hex>-<24 hex>,
// a 16-hex Parent, Sampled=0 (nothing traces locally)
// (https://docs.aws.amazon.com/xray/latest/devguide/xray-concepts.html#xray-concepts-tracingheader).
func newTraceHeader(now time.Time) string {
	var root [12]byte
	var parent [8]byte
	_, _ = rand.Read(root[:])
	_, _ = rand.Read(parent[:])
	return fmt.Sprintf("Root=1-%08x-%x;Parent=%x;Sampled=0", now.Unix(), root, parent)
}
