package api

import (
	"context"
	"net/http"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/keymint/keymint/shared/manage"
	"github.com/keymint/keymint/shared/plan"
	"github.com/keymint/keymint/shared/policy"
)

// OwnerView is an owner as admins see it.
type OwnerView struct {
	Owner  string     `json:"owner"`
	Status string     `json:"status"`
	Plan   string     `json:"plan"`
	Quota  *QuotaView `json:"quota,omitempty"`
	// MaxLiveTokens and MaxLifetimeDays are the owner's limits: its
	// plan's, or its own where Overrides says so.
	MaxLiveTokens   int            `json:"maxLiveTokens,omitempty"`
	MaxLifetimeDays int            `json:"maxLifetimeDays,omitempty"`
	Overrides       *OverridesView `json:"overrides,omitempty"`
	// Metadata is passed with each of its tokens' as meta_<key>.
	Metadata map[string]string `json:"metadata,omitempty"`
	// UsageKey is the owner's API Gateway API key (plans with usage
	// plans): its id and the usage plan it is in, never its value.
	UsageKey    *UsageKeyView `json:"usageKey,omitempty"`
	SingleToken bool          `json:"singleToken"`
	LiveTokens  int           `json:"liveTokens"`
	LastUsedAt  *time.Time    `json:"lastUsedAt,omitempty"`
	CreatedAt   *time.Time    `json:"createdAt,omitempty"`
	UpdatedAt   *time.Time    `json:"updatedAt,omitempty"`
}

// OverridesView is what an admin set for one owner in place of its plan's.
type OverridesView struct {
	Quota           *plan.Quota `json:"quota,omitempty"`
	MaxLiveTokens   int         `json:"maxLiveTokens,omitempty"`
	MaxLifetimeDays int         `json:"maxLifetimeDays,omitempty"`
}

// QuotaView is an owner's quota and its use in the current period.
type QuotaView struct {
	Requests int64     `json:"requests"`
	Period   string    `json:"period"`
	Current  string    `json:"current"`
	Used     int64     `json:"used"`
	ResetsAt time.Time `json:"resetsAt"`
}

// UsageKeyView names an owner's API key in API Gateway.
type UsageKeyView struct {
	ID          string `json:"id"`
	UsagePlanID string `json:"usagePlanId,omitempty"`
}

func ownerView(o *manage.OwnerSummary) OwnerView {
	var q *QuotaView
	if o.Quota != nil {
		q = &QuotaView{Requests: o.Quota.Requests, Period: o.Quota.Period, Current: o.Use.Period, Used: o.Use.Used, ResetsAt: o.Use.ResetsAt.UTC()}
	}
	var ov *OverridesView
	if o.Owner.Quota != "" || o.Owner.MaxLiveTokens != 0 || o.Owner.MaxLifetimeDays != 0 {
		ov = &OverridesView{MaxLiveTokens: o.Owner.MaxLiveTokens, MaxLifetimeDays: o.Owner.MaxLifetimeDays}
		ov.Quota, _ = plan.ParseQuota(o.Owner.Quota)
	}
	var live, days int
	if l := o.Limits; l != nil {
		live, days = l.MaxLiveTokens, int(l.MaxLifetime/(24*time.Hour))
	}
	return OwnerView{Quota: q, Overrides: ov, Metadata: o.Owner.Metadata, MaxLiveTokens: live, MaxLifetimeDays: days, Owner: o.Owner.Owner, Status: o.Status, Plan: o.PlanName, SingleToken: o.SingleToken, LiveTokens: o.Live,
		LastUsedAt: optEpoch(o.LastUsedAt), CreatedAt: optEpoch(o.CreatedAt), UpdatedAt: optEpoch(o.UpdatedAt), UsageKey: usageKeyView(o)}
}

func usageKeyView(o *manage.OwnerSummary) *UsageKeyView {
	if o.Owner.UsageKeyID == "" {
		return nil
	}
	return &UsageKeyView{ID: o.Owner.UsageKeyID, UsagePlanID: o.Owner.UsagePlan}
}

func (h *Describe) owners(ctx context.Context, c manage.Caller, req *events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	limit, cursor, err := page(req)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	owners, next, err := h.r.svc.Owners(ctx, c, limit, cursor)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	out := ListView[OwnerView]{Items: make([]OwnerView, 0, len(owners)), NextCursor: next}
	for i := range owners {
		out.Items = append(out.Items, ownerView(&owners[i]))
	}
	return jsonResponse(http.StatusOK, out), nil
}

func (h *Describe) owner(ctx context.Context, c manage.Caller, req *events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	o, err := h.r.svc.OwnerInfo(ctx, c, req.PathParameters["owner"])
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return jsonResponse(http.StatusOK, ownerView(o)), nil
}

// ScopeView is one scope of the catalogue.
type ScopeView struct {
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Implies     []string `json:"implies"`
	Routes      []string `json:"routes"`
}

// ScopesView is the scope catalogue as any caller may read it: what each
// scope opens, the bundles, and the routes every token or person may call.
type ScopesView struct {
	Scopes   []ScopeView         `json:"scopes"`
	Bundles  map[string][]string `json:"bundles"`
	AnyToken []string            `json:"anyToken"`
	Self     []string            `json:"self"`
}

func routeStrings(rs []policy.Route) []string {
	out := make([]string, 0, len(rs))
	for _, r := range rs {
		out = append(out, r.String())
	}
	return out
}

func (h *Describe) scopes(_ context.Context, _ manage.Caller, _ *events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	l := h.r.cat.List()
	v := ScopesView{Scopes: make([]ScopeView, 0, len(l.Scopes)), Bundles: l.Bundles, AnyToken: routeStrings(l.AnyToken), Self: routeStrings(l.Self)}
	for _, s := range l.Scopes {
		v.Scopes = append(v.Scopes, ScopeView{Name: s.Name, Description: s.Description, Implies: nonNil(s.Implies), Routes: routeStrings(s.Routes)})
	}
	if v.Bundles == nil {
		v.Bundles = map[string][]string{}
	}
	return jsonResponse(http.StatusOK, v), nil
}
