package localgw

import (
	"cmp"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/keymint/keymint/internal/localapi"
	"github.com/keymint/keymint/internal/stack"
)

// CreateApiKeyRate is API Gateway's CreateApiKey quota: 5 requests a
// second per account (https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html).
const CreateApiKeyRate = 5

// Server is the emulated control plane: an http.Handler.
type Server struct {
	mu      sync.Mutex
	plans   map[string][]string        // usage plan id → its API stages, "apiId/stage"
	keys    map[string]*apiKey         // by id
	members map[string]map[string]bool // usage plan id → key ids
	creates []time.Time                // CreateApiKey calls in the last second
	now     func() time.Time
	mux     *http.ServeMux
	file    string // where the keys are kept between runs; "" for nowhere
}

// state is what a Server keeps in its file: API Gateway keeps API keys and
// their usage plans whatever happens to the local stack's process, and the
// owner items in DynamoDB Local name them.
type state struct {
	Keys    map[string]*apiKey         `json:"keys"`
	Members map[string]map[string]bool `json:"members"`
}

// Keep loads the keys kept in path, if it exists, and keeps every change
// there from now on. Memberships of usage plans the template no longer
// has are dropped.
func (s *Server) Keep(path string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.file = path
	raw, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	var st state
	if err := json.Unmarshal(raw, &st); err != nil {
		return fmt.Errorf("localgw: %s: %w", path, err)
	}
	for id, k := range st.Keys {
		s.keys[id] = k
	}
	for plan, ids := range st.Members {
		if _, ok := s.members[plan]; ok {
			s.members[plan] = ids
		}
	}
	return nil
}

// save writes the keys to the Server's file, whole, through a rename.
func (s *Server) save() error {
	if s.file == "" {
		return nil
	}
	raw, err := json.Marshal(state{Keys: s.keys, Members: s.members})
	if err != nil {
		return err
	}
	tmp := s.file + ".tmp"
	if err := os.WriteFile(tmp, raw, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, s.file)
}

type apiKey struct {
	ID          string `json:"id"`
	Value       string `json:"value,omitempty"`
	Name        string `json:"name,omitempty"`
	CustomerID  string `json:"customerId,omitempty"`
	Description string `json:"description,omitempty"`
	Enabled     bool   `json:"enabled"`
	CreatedDate int64  `json:"createdDate"`
}

// New serves usagePlans (id → the API stages it covers, each "apiId/stage");
// now is the clock (nil: time.Now).
func New(usagePlans map[string][]string, now func() time.Time) *Server {
	if now == nil {
		now = time.Now
	}
	s := &Server{plans: map[string][]string{}, keys: map[string]*apiKey{}, members: map[string]map[string]bool{}, now: now, mux: http.NewServeMux()}
	for id, stages := range usagePlans {
		s.plans[id] = slices.Clone(stages)
		s.members[id] = map[string]bool{}
	}
	s.mux.HandleFunc("POST /apikeys", s.createKey)
	s.mux.HandleFunc("GET /apikeys", s.listKeys)
	s.mux.HandleFunc("GET /apikeys/{id}", s.getKey)
	s.mux.HandleFunc("DELETE /apikeys/{id}", s.deleteKey)
	s.mux.HandleFunc("POST /usageplans/{plan}/keys", s.addPlanKey)
	s.mux.HandleFunc("GET /usageplans/{plan}/keys", s.listPlanKeys)
	s.mux.HandleFunc("GET /usageplans/{plan}/keys/{id}", s.getPlanKey)
	s.mux.HandleFunc("DELETE /usageplans/{plan}/keys/{id}", s.removePlanKey)
	return s
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.Method == http.MethodGet {
		s.mux.ServeHTTP(w, r)
		return
	}
	// A change is answered once it is kept, as AWS answers once it is
	// durable.
	rec := &held{header: http.Header{}}
	s.mux.ServeHTTP(rec, r)
	if err := s.save(); err != nil && rec.status < 300 {
		fail(w, http.StatusInternalServerError, "InternalFailure", "could not keep the change: "+err.Error())
		return
	}
	rec.flush(w)
}

// held is a response kept until the change it answers is saved.
type held struct {
	header http.Header
	status int
	body   []byte
}

func (h *held) Header() http.Header { return h.header }
func (h *held) WriteHeader(code int) {
	if h.status == 0 {
		h.status = code
	}
}
func (h *held) Write(b []byte) (int, error) {
	h.WriteHeader(http.StatusOK)
	h.body = append(h.body, b...)
	return len(b), nil
}
func (h *held) flush(w http.ResponseWriter) {
	maps.Copy(w.Header(), h.header)
	w.WriteHeader(cmp.Or(h.status, http.StatusOK))
	_, _ = w.Write(h.body)
}

// PlanOf names the usage plan covering apiID's stage that holds the
// enabled key whose value is value: what API Gateway looks up for a
// request whose authorizer named value as its usageIdentifierKey.
func (s *Server) PlanOf(apiID, stage, value string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, k := range s.keys {
		if k.Value != value || !k.Enabled {
			continue
		}
		for plan, ids := range s.members {
			if ids[k.ID] && slices.Contains(s.plans[plan], apiID+"/"+stage) {
				return plan, true
			}
		}
	}
	return "", false
}

// Keys lists the usage plans each key value is in (for tests and the
// local stack's log): value → sorted plan ids.
func (s *Server) Keys() map[string][]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string][]string{}
	for _, k := range s.keys {
		out[k.Value] = []string{}
		for plan, ids := range s.members {
			if ids[k.ID] {
				out[k.Value] = append(out[k.Value], plan)
			}
		}
		slices.Sort(out[k.Value])
	}
	return out
}

func (s *Server) createKey(w http.ResponseWriter, r *http.Request) {
	now := s.now()
	s.creates = slices.DeleteFunc(s.creates, func(t time.Time) bool { return now.Sub(t) >= time.Second })
	if len(s.creates) >= CreateApiKeyRate {
		fail(w, http.StatusTooManyRequests, "TooManyRequestsException", "Too Many Requests")
		return
	}
	s.creates = append(s.creates, now)
	var in struct {
		Name        string `json:"name"`
		Description string `json:"description"`
		Enabled     bool   `json:"enabled"`
		Value       string `json:"value"`
		CustomerID  string `json:"customerId"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		fail(w, http.StatusBadRequest, "BadRequestException", "Invalid request body")
		return
	}
	if in.Value != "" && len(in.Value) < 20 {
		// API keys' values are at least 20 characters (CreateApiKey, value).
		fail(w, http.StatusBadRequest, "BadRequestException", "API Key value should be at least 20 characters")
		return
	}
	if in.Value == "" {
		in.Value = random(40)
	}
	for _, k := range s.keys {
		if k.Value == in.Value {
			fail(w, http.StatusConflict, "ConflictException", "API Key already exists")
			return
		}
	}
	k := &apiKey{ID: strings.ToLower(random(10)), Value: in.Value, Name: in.Name, CustomerID: in.CustomerID, Description: in.Description, Enabled: in.Enabled, CreatedDate: now.Unix()}
	s.keys[k.ID] = k
	answer(w, http.StatusCreated, k)
}

func (s *Server) listKeys(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	values := q.Get("includeValues") == "true"
	var items []apiKey
	for _, k := range s.keys {
		// name is a prefix filter on the key's name, as the console's search.
		if strings.HasPrefix(k.Name, q.Get("name")) && (q.Get("customerId") == "" || q.Get("customerId") == k.CustomerID) {
			items = append(items, shown(k, values))
		}
	}
	slices.SortFunc(items, func(a, b apiKey) int { return strings.Compare(a.ID, b.ID) })
	start, _ := strconv.Atoi(q.Get("position"))
	limit, err := strconv.Atoi(q.Get("limit"))
	if err != nil || limit <= 0 || limit > 500 {
		limit = 25 // API Gateway's default page
	}
	out := map[string]any{"item": []apiKey{}}
	if start < len(items) {
		end := min(start+limit, len(items))
		out["item"] = items[start:end]
		if end < len(items) {
			out["position"] = strconv.Itoa(end)
		}
	}
	answer(w, http.StatusOK, out)
}

func (s *Server) getKey(w http.ResponseWriter, r *http.Request) {
	k, ok := s.keys[r.PathValue("id")]
	if !ok {
		fail(w, http.StatusNotFound, "NotFoundException", "Invalid API Key identifier specified")
		return
	}
	answer(w, http.StatusOK, shown(k, r.URL.Query().Get("includeValue") == "true"))
}

func (s *Server) deleteKey(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if _, ok := s.keys[id]; !ok {
		fail(w, http.StatusNotFound, "NotFoundException", "Invalid API Key identifier specified")
		return
	}
	delete(s.keys, id)
	for _, ids := range s.members {
		delete(ids, id)
	}
	w.WriteHeader(http.StatusAccepted)
}

func (s *Server) addPlanKey(w http.ResponseWriter, r *http.Request) {
	plan := r.PathValue("plan")
	var in struct {
		KeyID   string `json:"keyId"`
		KeyType string `json:"keyType"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.KeyType != "API_KEY" {
		fail(w, http.StatusBadRequest, "BadRequestException", "Invalid request body")
		return
	}
	stages, ok := s.plans[plan]
	if !ok {
		fail(w, http.StatusNotFound, "NotFoundException", "Invalid Usage Plan ID specified")
		return
	}
	k, ok := s.keys[in.KeyID]
	if !ok {
		fail(w, http.StatusNotFound, "NotFoundException", "Invalid API Key identifier specified")
		return
	}
	if s.members[plan][k.ID] {
		fail(w, http.StatusConflict, "ConflictException", "Usage Plan Key already exists")
		return
	}
	// One usage plan per key and API stage
	// (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-api-usage-plans.html).
	for other, ids := range s.members {
		if other != plan && ids[k.ID] && slices.ContainsFunc(stages, func(st string) bool { return slices.Contains(s.plans[other], st) }) {
			fail(w, http.StatusConflict, "ConflictException",
				fmt.Sprintf("Usage Plan %s cannot be added because API Key %s cannot reference multiple Usage Plans with the same API Stage", plan, k.ID))
			return
		}
	}
	s.members[plan][k.ID] = true
	answer(w, http.StatusCreated, planKey(k))
}

func (s *Server) listPlanKeys(w http.ResponseWriter, r *http.Request) {
	ids, ok := s.members[r.PathValue("plan")]
	if !ok {
		fail(w, http.StatusNotFound, "NotFoundException", "Invalid Usage Plan ID specified")
		return
	}
	items := []map[string]string{}
	for id := range ids {
		items = append(items, planKey(s.keys[id]))
	}
	slices.SortFunc(items, func(a, b map[string]string) int { return strings.Compare(a["id"], b["id"]) })
	answer(w, http.StatusOK, map[string]any{"item": items})
}

func (s *Server) getPlanKey(w http.ResponseWriter, r *http.Request) {
	ids, ok := s.members[r.PathValue("plan")]
	if !ok || !ids[r.PathValue("id")] {
		fail(w, http.StatusNotFound, "NotFoundException", "Invalid Usage Plan Key identifier specified")
		return
	}
	answer(w, http.StatusOK, planKey(s.keys[r.PathValue("id")]))
}

func (s *Server) removePlanKey(w http.ResponseWriter, r *http.Request) {
	ids, ok := s.members[r.PathValue("plan")]
	if !ok || !ids[r.PathValue("id")] {
		fail(w, http.StatusNotFound, "NotFoundException", "Invalid Usage Plan Key identifier specified")
		return
	}
	delete(ids, r.PathValue("id"))
	w.WriteHeader(http.StatusAccepted)
}

func planKey(k *apiKey) map[string]string {
	return map[string]string{"id": k.ID, "type": "API_KEY", "value": k.Value, "name": k.Name}
}

// shown is k as a listing shows it: the value only when asked for.
func shown(k *apiKey, value bool) apiKey {
	c := *k
	if !value {
		c.Value = ""
	}
	return c
}

func answer(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// fail answers as API Gateway's control plane does: the error's type in
// x-amzn-ErrorType, its message in the body.
func fail(w http.ResponseWriter, status int, kind, msg string) {
	w.Header().Set("X-Amzn-ErrorType", kind)
	answer(w, status, map[string]string{"message": msg})
}

const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

func random(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// Stages are the usage plans of st by their local ids, each with the API
// stages it covers ("apiId/stage", the API's local id as localapi.APIID
// gives it): what New serves.
func Stages(st *stack.Stack) map[string][]string {
	out := map[string][]string{}
	for _, p := range st.UsagePlans {
		stages := []string{}
		for _, s := range p.APIStages {
			stages = append(stages, localapi.APIID(s.API)+"/"+s.Stage)
		}
		out[p.ID] = stages
	}
	return out
}
