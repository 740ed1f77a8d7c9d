package validate

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
)

func TestTopIndexFollowsTopKeys(t *testing.T) {
	t.Parallel()
	for i, k := range topKeys {
		if got := topIndex([]byte(k)); got != i {
			t.Errorf("topIndex(%q) = %d, want %d", k, got, i)
		}
	}
	if topIndex([]byte("Version")) != -1 {
		t.Error("topIndex matched a key spelt differently")
	}
}

// readBoth reads payload on both paths. fast reports whether the scanner
// took it; when it did, its reading must be encoding/json's.
func readBoth(t *testing.T, payload []byte) (fast bool) {
	t.Helper()
	var fastIn, slowIn input
	var e event
	var fastErr error
	if parseEvent(payload, &e) {
		fast, fastErr = e.input(&fastIn)
	}
	slowErr := decodeInput(payload, &slowIn)
	if !fast {
		return false
	}
	if (fastErr == nil) != (slowErr == nil) || errors.Is(fastErr, errBadARN) != errors.Is(slowErr, errBadARN) {
		t.Fatalf("scanner error %v, encoding/json error %v\npayload %s", fastErr, slowErr, payload)
	}
	if fastIn != slowIn {
		t.Fatalf("scanner read\n%+v\nencoding/json read\n%+v\npayload %s", fastIn, slowIn, payload)
	}
	return true
}

func samples(t testing.TB) map[string][]byte {
	out := map[string][]byte{
		"direct":           []byte(`{"token":"kmt_AAAAAAAAAAAAAAAA_BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB_CCCCCC","route":"GET /whoami","sourceIp":"192.0.2.1"}`),
		"direct bad route": []byte(`{"token":"t","route":"GET"}`),
	}
	for _, name := range []string{"http-v2", "rest-request", "rest-token"} {
		raw, err := os.ReadFile("testdata/" + name + ".json")
		if err != nil {
			t.Fatal(err)
		}
		raw = bytes.ReplaceAll(raw, []byte("incoming-client-token"), []byte("Bearer kmt_AAAAAAAAAAAAAAAA_BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB_CCCCCC"))
		out[name] = raw
		var c bytes.Buffer
		if err := json.Compact(&c, raw); err != nil {
			t.Fatal(err)
		}
		out[name+" compact"] = c.Bytes()
	}
	return out
}

// Every sample event is read by the scanner, exactly as encoding/json
// reads it; payloads it cannot be sure of go to encoding/json, and those
// are the only ones it declines.
func TestScannerReadsAsEncodingJSON(t *testing.T) {
	t.Parallel()
	s := samples(t)
	http := string(s["http-v2 compact"])
	rest := string(s["rest-request compact"])
	deep := strings.Repeat("[", maxDepth+1) + strings.Repeat("]", maxDepth+1)
	many := `{"version":"2.0","pathParameters":{`
	for i := range maxParams + 1 {
		many += `"p` + string(rune('a'+i)) + `":"v",`
	}
	many = strings.TrimSuffix(many, ",") + `}}`
	cases := []struct {
		name    string
		payload string
		fast    bool
	}{
		{"http-v2 pretty", string(s["http-v2"]), true},
		{"http-v2", http, true},
		{"rest-request", rest, true},
		{"rest-request pretty", string(s["rest-request"]), true},
		{"rest-token", string(s["rest-token compact"]), true},
		{"direct", string(s["direct"]), true},
		{"direct bad route", string(s["direct bad route"]), true},
		{"escape in a field validate skips", strings.Replace(http, `"header1":"value1"`, `"header1":"va\u006cue1\n"`, 1), true},
		{"non-ASCII in a field validate skips", strings.Replace(http, `"header1":"value1"`, `"header1":"välue"`, 1), true},
		{"invalid UTF-8 in a field validate skips", strings.Replace(http, `"header1":"value1"`, "\"header1\":\"\xff\"", 1), true},
		{"null token: not a direct invoke", `{"token":null,"type":"TOKEN","methodArn":"arn:aws:execute-api:r:a:api/s/GET/x"}`, true},
		{"HTTP API 1.0 identitySource string", strings.Replace(rest, `"type":"REQUEST"`, `"type":"REQUEST","identitySource":"x"`, 1), true},
		{"bad methodArn", `{"type":"TOKEN","authorizationToken":"x","methodArn":"arn:aws:s3:::b"}`, true},
		{"unknown shape", `{"hello":"world"}`, true},
		{"management stage variable", strings.Replace(http, `"stageVariables":{`, `"stageVariables":{"keymint":"management",`, 1), true},
		{"another stage variable value", strings.Replace(http, `"stageVariables":{`, `"stageVariables":{"keymint":"other",`, 1), true},
		{"numbers and literals skipped", `{"token":"t","n":-1.5e+3,"b":true,"z":null,"a":[1,{"x":[]}]}`, true},

		{"key spelt in another case", strings.Replace(http, `"version"`, `"Version"`, 1), false},
		{"nested key in another case", strings.Replace(http, `"sourceIp"`, `"SourceIP"`, 1), false},
		{"Kelvin sign folds to k", "{\"to\u212aen\":\"t\"}", false},
		{"long s folds to s", "{\"token\":\"t\",\"\u017fourceIp\":\"192.0.2.1\"}", false},
		{"repeated key", `{"token":"a","token":"b"}`, false},
		{"repeated nested key", strings.Replace(http, `"stage":"$default"`, `"stage":"$default","stage":"x"`, 1), false},
		{"escaped token", `{"token":"kmt_\u0041"}`, false},
		{"escaped key", `{"t\u006fken":"x"}`, false},
		{"invalid UTF-8 in the token", "{\"token\":\"kmt_\xff\"}", false},
		{"number where a string goes", `{"version":2}`, false},
		{"null where a string goes", `{"token":"t","route":null}`, false},
		{"two authorization headers", strings.Replace(http, `"header1":"value1"`, `"Authorization":"x"`, 1), false},
		{"identitySource not an array in 2.0", strings.Replace(http, `"identitySource":[`, `"identitySource":"x","i":[`, 1), false},
		{"too many path parameters", many, false},
		{"repeated stage variable", strings.Replace(http, `"stageVariables":{`, `"stageVariables":{"keymint":"x","keymint":"management",`, 1), false},
		{"null stage variable", strings.Replace(http, `"stageVariables":{`, `"stageVariables":{"keymint":null,`, 1), false},
		{"repeated path parameter", `{"version":"2.0","pathParameters":{"a":"1","a":"2"}}`, false},
		{"bad escape in a skipped field", `{"token":"t","x":"\q"}`, false},
		{"short unicode escape", `{"token":"t","x":"\u12"}`, false},
		{"control byte in a string", "{\"token\":\"t\",\"x\":\"a\x01\"}", false},
		{"leading zero", `{"token":"t","x":01}`, false},
		{"bare word", `{"token":"t","x":nul}`, false},
		{"trailing garbage", `{"token":"t"}x`, false},
		{"trailing comma", `{"token":"t",}`, false},
		{"not an object", `["token"]`, false},
		{"empty", ``, false},
		{"too deep", `{"token":"t","x":` + deep + `}`, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := readBoth(t, []byte(c.payload)); got != c.fast {
				t.Fatalf("scanner took it: %v, want %v", got, c.fast)
			}
		})
	}
}

// FuzzReadEvent holds the scanner to encoding/json on any input: whatever
// it takes, it reads as encoding/json does.
func FuzzReadEvent(f *testing.F) {
	for _, raw := range samples(f) {
		f.Add(raw)
	}
	f.Add([]byte(`{"token":"a","token":null}`))
	f.Add([]byte(`{"headers":{"authorization":"a","AUTHORIZATION":"b"},"version":"2.0"}`))
	f.Fuzz(func(t *testing.T, payload []byte) {
		readBoth(t, payload)
	})
}
