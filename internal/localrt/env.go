package localrt

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strconv"

	"github.com/keymint/keymint/internal/stack"
)

// TableName is the table the local stack creates from TokenTable.
const TableName = "keymint-tokens"

// LocalParameters are the template parameters the local stack deploys
// with: the example orders API is always served locally (on EXAMPLE_PORT),
// so a newcomer sees keymint protect an API.
func LocalParameters() map[string]string {
	return map[string]string{"DeployExampleApi": "true"}
}

// LoadStack reads the template with the local stand-ins for deploy-time
// values: the table's name, no keyring secret (so functions read the
// keyring file under LOCAL_DIR), and LocalParameters.
func LoadStack(templatePath string) (*stack.Stack, error) {
	return stack.Load(templatePath, stack.Resolver{
		Refs: map[string]string{
			"TokenTable":    TableName,
			"KeyringSecret": "",
		},
		Parameters: LocalParameters(),
	})
}

// EnvOptions are the local additions to each function's environment.
type EnvOptions struct {
	Endpoint string // DynamoDB Local
	LocalDir string // made absolute
	// Overrides is a `sam local --env-vars` document: "Parameters" applies
	// to every function, a logical id to that function. As in SAM, only
	// variables the function already has are overridden.
	Overrides map[string]map[string]string
	// RuntimeAPI is the host:port of the function's own Extensions API
	// (extapi.Server.Addr), its AWS_LAMBDA_RUNTIME_API; localfn.Build
	// sets it per function. Empty: the function has no such API.
	RuntimeAPI string
	// APIGatewayEndpoint is the local stand-in for API Gateway's control
	// plane (internal/localgw), where owners' API keys go; empty: none.
	APIGatewayEndpoint string
}

// FunctionVersion is the version every local function runs as.
const FunctionVersion = "$LATEST"

// FunctionEnv is the environment a function sees locally: the template's
// (Globals merged, Refs resolved), then the local stand-ins, then overrides.
func FunctionEnv(f *stack.Function, o EnvOptions) (map[string]string, error) {
	localDir, err := filepath.Abs(o.LocalDir)
	if err != nil {
		return nil, err
	}
	env := maps.Clone(f.Env)
	if env == nil {
		env = map[string]string{}
	}
	maps.Copy(env, map[string]string{
		"DYNAMODB_ENDPOINT":            o.Endpoint,
		"APIGATEWAY_ENDPOINT":          o.APIGatewayEndpoint,
		"LOCAL_DIR":                    localDir,
		"KEYMINT_ALLOW_CLOCK_OVERRIDE": "1",
		// Dummy credentials: DynamoDB Local wants some, and nothing local may
		// ever reach a real account.
		"AWS_REGION":            "us-east-1",
		"AWS_DEFAULT_REGION":    "us-east-1",
		"AWS_ACCESS_KEY_ID":     "local",
		"AWS_SECRET_ACCESS_KEY": "local",
		// What Lambda itself sets
		// (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime).
		"AWS_LAMBDA_FUNCTION_NAME":        f.LogicalID,
		"AWS_LAMBDA_FUNCTION_VERSION":     FunctionVersion,
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": strconv.Itoa(f.MemorySize),
		"AWS_LAMBDA_RUNTIME_API":          o.RuntimeAPI,
	})
	// No EventBridge locally: the sweeper appends its notices to
	// LOCAL_DIR/notices.jsonl when EVENT_BUS_NAME is empty.
	if _, ok := env["EVENT_BUS_NAME"]; ok {
		env["EVENT_BUS_NAME"] = ""
	}
	for _, scope := range []string{"Parameters", f.LogicalID} {
		for k, v := range o.Overrides[scope] {
			if _, declared := env[k]; declared {
				env[k] = v
			}
		}
	}
	return env, nil
}

// ReadEnvVars reads a `sam local --env-vars` JSON file.
func ReadEnvVars(path string) (map[string]map[string]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var raw map[string]map[string]any
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("localrt: %s: %w", path, err)
	}
	out := make(map[string]map[string]string, len(raw))
	for scope, vars := range raw {
		out[scope] = make(map[string]string, len(vars))
		for k, v := range vars {
			switch v := v.(type) {
			case string:
				out[scope][k] = v
			case float64:
				out[scope][k] = strconv.FormatFloat(v, 'f', -1, 64)
			case bool:
				out[scope][k] = strconv.FormatBool(v)
			default:
				return nil, fmt.Errorf("localrt: %s: %s.%s must be a string, number or boolean", path, scope, k)
			}
		}
	}
	return out, nil
}

// Lookup turns an environment map into the getenv app.New takes.
func Lookup(env map[string]string) func(string) string {
	return func(k string) string { return env[k] }
}
