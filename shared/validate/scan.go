package validate

import "unicode/utf8"

// scanner reads the few fields validate needs straight out of an event's
// JSON, without reflection and without allocating: a hit on the decision
// cache must cost less than decoding the event with encoding/json would.
// It understands all of JSON's syntax but hands back string contents as
// slices of the payload, so it refuses (ok=false) any string it would have
// to unescape; the handler then takes the encoding/json path, which answers
// the same (tests hold the two to it).
type scanner struct {
	b     []byte
	i     int
	depth int
	bad   bool // a syntax error, or a string the caller wanted that needs decoding
}

// maxDepth is encoding/json's nesting limit: deeper input is an error there,
// so the fast path leaves it to encoding/json too.
const maxDepth = 10000

func (s *scanner) ws() {
	for s.i < len(s.b) && s.b[s.i] <= ' ' {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// peek is the next byte after whitespace (0 at the end).
func (s *scanner) peek() byte {
	s.ws()
	if s.i >= len(s.b) {
		return 0
	}
	return s.b[s.i]
}

func (s *scanner) fail() bool {
	s.bad = true
	return false
}

// str reads a string and returns its raw contents. escaped reports a
// backslash in it and high a byte outside ASCII: either way the contents
// may not be the value encoding/json decodes (it unescapes, and replaces
// invalid UTF-8 with U+FFFD). Escapes are checked as JSON defines them.
func (s *scanner) str() (raw []byte, escaped, high bool) {
	if s.peek() != '"' {
		s.fail()
		return nil, false, false
	}
	start := s.i + 1
	// Most strings are plain ASCII: run to the first byte that needs care,
	// and if that is the closing quote, done.
	j := start
	for j < len(s.b) && plainByte[s.b[j]] {
		j++
	}
	if j < len(s.b) && s.b[j] == '"' {
		s.i = j + 1
		return s.b[start:j], false, false
	}
	for ; j < len(s.b); j++ {
		switch c := s.b[j]; {
		case c == '"':
			s.i = j + 1
			return s.b[start:j], escaped, high
		case c == '\\':
			escaped = true
			if !s.escape(j + 1) {
				return nil, false, false
			}
			if s.b[j+1] == 'u' {
				j += 4
			}
			j++
		case c < 0x20:
			s.fail()
			return nil, false, false
		case c >= 0x80:
			high = true
		}
	}
	s.fail()
	return nil, false, false
}

// plainByte marks the bytes a string may hold that need no care: not the
// quote, the backslash, a control byte or a byte of a multi-byte character.
var plainByte = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// escape checks the escape sequence whose letter is at b[j].
func (s *scanner) escape(j int) bool {
	if j >= len(s.b) {
		return s.fail()
	}
	switch s.b[j] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		return true
	case 'u':
		if j+4 >= len(s.b) {
			return s.fail()
		}
		for _, h := range s.b[j+1 : j+5] {
			if !('0' <= h && h <= '9' || 'a' <= h && h <= 'f' || 'A' <= h && h <= 'F') {
				return s.fail()
			}
		}
		return true
	}
	return s.fail()
}

// value reads a string value the caller needs, as a slice of the payload:
// nil and a failure for one encoding/json would have to decode (an escape,
// invalid UTF-8), which the fast path leaves to it.
func (s *scanner) value() []byte {
	raw, escaped, high := s.str()
	if escaped || high && !utf8.Valid(raw) {
		s.fail()
		return nil
	}
	return raw
}

// text passes over a string whose value validate does not need: it must
// be a string, as the events types declare, but may hold anything.
func (s *scanner) text() bool {
	s.str()
	return !s.bad
}

// skip passes over any one value.
func (s *scanner) skip() bool {
	switch s.peek() {
	case '"':
		s.str()
	case '{':
		s.object(func([]byte) bool { return s.skip() })
	case '[':
		s.array(func(int) bool { return s.skip() })
	default:
		start := s.i
		for s.i < len(s.b) {
			c := s.b[s.i]
			if c == ',' || c == '}' || c == ']' || c == ' ' || c == '\t' || c == '\n' || c == '\r' {
				break
			}
			s.i++
		}
		if !literal(s.b[start:s.i]) {
			return s.fail()
		}
	}
	return !s.bad
}

// literal accepts true, false, null and JSON numbers.
func literal(b []byte) bool {
	switch string(b) {
	case "true", "false", "null":
		return true
	}
	if len(b) == 0 {
		return false
	}
	i := 0
	if b[i] == '-' {
		i++
	}
	digits := func() int {
		n := 0
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
			n++
		}
		return n
	}
	start := i
	if n := digits(); n == 0 || (n > 1 && b[start] == '0') {
		return false
	}
	if i < len(b) && b[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(b)
}

// object calls member for each key (raw; an escaped key is a failure), with
// the scanner at the member's value, which member must consume.
func (s *scanner) object(member func(key []byte) bool) bool {
	if s.peek() != '{' || !s.enter() {
		return s.fail()
	}
	defer s.leave()
	s.i++
	if s.peek() == '}' {
		s.i++
		return true
	}
	for {
		key := s.value()
		if s.bad || s.peek() != ':' {
			return s.fail()
		}
		s.i++
		if !member(key) || s.bad {
			return s.fail()
		}
		switch s.peek() {
		case ',':
			s.i++
		case '}':
			s.i++
			return true
		default:
			return s.fail()
		}
	}
}

// array calls elem for each element, with its index.
func (s *scanner) array(elem func(i int) bool) bool {
	if s.peek() != '[' || !s.enter() {
		return s.fail()
	}
	defer s.leave()
	s.i++
	if s.peek() == ']' {
		s.i++
		return true
	}
	for n := 0; ; n++ {
		if !elem(n) || s.bad {
			return s.fail()
		}
		switch s.peek() {
		case ',':
			s.i++
		case ']':
			s.i++
			return true
		default:
			return s.fail()
		}
	}
}

func (s *scanner) enter() bool {
	s.depth++
	return s.depth <= maxDepth
}

func (s *scanner) leave() { s.depth-- }

// end reports that nothing but whitespace follows.
func (s *scanner) end() bool {
	return !s.bad && s.peek() == 0 && s.i == len(s.b)
}
