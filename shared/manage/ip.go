package manage

import (
	"context"
	"slices"
	"time"

	"github.com/keymint/keymint/shared/audit"
	"github.com/keymint/keymint/shared/lifecycle"
	"github.com/keymint/keymint/shared/store"
)

// BlockIP refuses the token from one address; blocking twice is a no-op.
func (s *Service) BlockIP(ctx context.Context, caller Caller, id, ip string) (*store.Record, error) {
	addr, err := NormalizeIP(ip)
	if err != nil {
		return nil, err
	}
	return s.mutate(ctx, caller, id, audit.BlockIP, reapplyOnRace, func(t *store.Record, now time.Time) (map[string]any, error) {
		if t.Status == lifecycle.StatusRevoked {
			return nil, conflict("a revoked token cannot be changed")
		}
		if slices.Contains(t.BlockedIPs, addr) {
			return nil, nil
		}
		if len(t.BlockedIPs) >= MaxBlockedIPs {
			return nil, invalid("ip", "at most %d blocked addresses per token", MaxBlockedIPs)
		}
		t.BlockedIPs = append(t.BlockedIPs, addr)
		slices.Sort(t.BlockedIPs)
		return map[string]any{"ip": addr}, nil
	})
}

// UnblockIP lifts a block; unblocking an address not blocked is a no-op.
func (s *Service) UnblockIP(ctx context.Context, caller Caller, id, ip string) (*store.Record, error) {
	addr, err := NormalizeIP(ip)
	if err != nil {
		return nil, err
	}
	return s.mutate(ctx, caller, id, audit.UnblockIP, reapplyOnRace, func(t *store.Record, now time.Time) (map[string]any, error) {
		i := slices.Index(t.BlockedIPs, addr)
		if i < 0 {
			return nil, nil
		}
		t.BlockedIPs = slices.Delete(t.BlockedIPs, i, i+1)
		return map[string]any{"ip": addr}, nil
	})
}
