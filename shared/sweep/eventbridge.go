package sweep

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
)

// PutEventsAPI is the part of the EventBridge client the notifier uses.
type PutEventsAPI interface {
	PutEvents(ctx context.Context, in *eventbridge.PutEventsInput, optFns ...func(*eventbridge.Options)) (*eventbridge.PutEventsOutput, error)
}

var _ PutEventsAPI = (*eventbridge.Client)(nil)

// maxPutEntries is PutEvents' limit on entries per request.
const maxPutEntries = 10

// EventBridgeNotifier puts each notice on an event bus as a
// keymint.token.expiring event.
type EventBridgeNotifier struct {
	api PutEventsAPI
	bus string
}

// NewEventBridgeNotifier sends to bus ("default" for the account's default bus).
func NewEventBridgeNotifier(api PutEventsAPI, bus string) *EventBridgeNotifier {
	return &EventBridgeNotifier{api: api, bus: bus}
}

// Notify sends the notices in batches of ten. PutEvents can accept part of a
// batch (FailedEntryCount); those entries are reported in a *DeliveryError
// rather than retried here, because the sweeper leaves their notifiedAt
// unset and the next run sends them again.
func (n *EventBridgeNotifier) Notify(ctx context.Context, notices []Notice) error {
	var failed []string
	var causes []error
	for start := 0; start < len(notices); start += maxPutEntries {
		batch := notices[start:min(start+maxPutEntries, len(notices))]
		entries := make([]types.PutEventsRequestEntry, 0, len(batch))
		for _, nt := range batch {
			d, err := nt.detail()
			if err != nil {
				return err
			}
			e := types.PutEventsRequestEntry{
				Source:       aws.String(NoticeSource),
				DetailType:   aws.String(NoticeDetailType),
				Detail:       aws.String(string(d)),
				EventBusName: aws.String(n.bus),
			}
			if !nt.At.IsZero() {
				e.Time = aws.Time(nt.At)
			}
			entries = append(entries, e)
		}
		out, err := n.api.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: entries})
		if err != nil {
			failed = appendIDs(failed, batch)
			causes = append(causes, fmt.Errorf("put events: %w", err))
			continue
		}
		if out.FailedEntryCount == 0 {
			continue
		}
		// Results are positional; without one result per entry nothing
		// says which were accepted, so all count as undelivered.
		if len(out.Entries) != len(batch) {
			failed = appendIDs(failed, batch)
			causes = append(causes, fmt.Errorf("put events: %d failed, %d results for %d entries", out.FailedEntryCount, len(out.Entries), len(batch)))
			continue
		}
		for i, r := range out.Entries {
			if r.ErrorCode == nil && r.EventId != nil {
				continue
			}
			failed = append(failed, batch[i].TokenID)
			causes = append(causes, fmt.Errorf("put events entry for %s: %s: %s", batch[i].TokenID, aws.ToString(r.ErrorCode), aws.ToString(r.ErrorMessage)))
		}
	}
	if len(failed) > 0 {
		return &DeliveryError{Failed: failed, Err: errors.Join(causes...)}
	}
	return nil
}

func appendIDs(ids []string, notices []Notice) []string {
	for _, n := range notices {
		ids = append(ids, n.TokenID)
	}
	return ids
}
