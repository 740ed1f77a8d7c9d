package api

// Problem is an RFC 9457 problem details body. Detail is written for the
// client and never carries internal error text.
type Problem struct {
	Type      string         `json:"type"`
	Title     string         `json:"title"`
	Status    int            `json:"status"`
	Detail    string         `json:"detail,omitempty"`
	Instance  string         `json:"instance,omitempty"`
	Errors    []FieldProblem `json:"errors,omitempty"`
	RequestID string         `json:"requestId,omitempty"`
}

// Error makes a Problem the one error type handlers return: a handler
// that has its answer ready returns it, and fromError passes it through.
func (p *Problem) Error() string { return p.Detail }

// FieldProblem names the field at fault.
type FieldProblem struct {
	Field  string `json:"field"`
	Detail string `json:"detail"`
}
