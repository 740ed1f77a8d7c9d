package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"github.com/keymint/keymint/internal/ddblocal"
	"github.com/keymint/keymint/internal/localfn"
	"github.com/keymint/keymint/internal/localrt"
	"github.com/keymint/keymint/internal/stack"
	"github.com/keymint/keymint/internal/tabledef"
)

// settings are the environment knobs shared by run and invoke.
type settings struct {
	localDir        string // absolute
	port            int    // KeymintApi
	examplePort     int    // ExampleApi
	exampleRestPort int    // ExampleRestApi
	ddbPort         int
	template        string
	// envVars are the `sam local --env-vars` overrides of every function
	// (the user's, see withOverrides, and the OpenID provider's, withOIDC).
	envVars map[string]map[string]string
	// overrides describe the user's overrides, for start-up output.
	overrides []string
	adminFile string
	// gatewayURL is the local API Gateway control plane the functions
	// call for owners' API keys (startGateway); "" before it starts.
	gatewayURL string
	// examplePlans: the stack runs the example plans (withExamplePlans).
	examplePlans bool
}

func loadSettings(template string) (settings, error) {
	var s settings
	dir := os.Getenv("LOCAL_DIR")
	if dir == "" {
		dir = ".local"
	}
	var err error
	if s.localDir, err = filepath.Abs(dir); err != nil {
		return s, err
	}
	if s.ddbPort, err = ddblocal.PortFromEnv(os.Getenv); err != nil {
		return s, err
	}
	if s.port, err = portFromEnv("PORT", 3000); err != nil {
		return s, err
	}
	if s.examplePort, err = portFromEnv("EXAMPLE_PORT", 3001); err != nil {
		return s, err
	}
	if s.exampleRestPort, err = portFromEnv("EXAMPLE_REST_PORT", 3002); err != nil {
		return s, err
	}
	s.template = template
	s.adminFile = filepath.Join(s.localDir, "admin-token")
	return s, nil
}

// portFromEnv reads a port number from the environment variable name.
func portFromEnv(name string, def int) (int, error) {
	v := os.Getenv(name)
	if v == "" {
		return def, nil
	}
	p, err := strconv.Atoi(v)
	if err != nil || p < 1 || p > 65535 {
		return 0, fmt.Errorf("%s=%q is not a port number", name, v)
	}
	return p, nil
}

func (s settings) endpoint() string { return "http://127.0.0.1:" + strconv.Itoa(s.ddbPort) }

func (s settings) envOptions() localrt.EnvOptions {
	return localrt.EnvOptions{Endpoint: s.endpoint(), LocalDir: s.localDir, Overrides: s.envVars, APIGatewayEndpoint: s.gatewayURL}
}

// useLocalAWS makes the AWS SDK inside app.New (which reads the process
// environment, not the function's) use dummy credentials and a region, and
// never reach for a profile or the instance metadata service. Local runs
// must never touch a real account.
func useLocalAWS() {
	for k, v := range map[string]string{
		"AWS_REGION":                "us-east-1",
		"AWS_DEFAULT_REGION":        "us-east-1",
		"AWS_ACCESS_KEY_ID":         "local",
		"AWS_SECRET_ACCESS_KEY":     "local",
		"AWS_EC2_METADATA_DISABLED": "true",
	} {
		os.Setenv(k, v)
	}
	os.Unsetenv("AWS_SESSION_TOKEN")
	os.Unsetenv("AWS_PROFILE")
}

// prepare makes sure the table and the keyring file exist.
func prepare(ctx context.Context, s settings, stderr io.Writer) error {
	def, err := tabledef.FromTemplate(s.template)
	if err != nil {
		return err
	}
	if err := tabledef.Ensure(ctx, ddblocal.NewClient(s.endpoint()), localrt.TableName, def); err != nil {
		return err
	}
	keyringFile := filepath.Join(s.localDir, "keyring.json")
	created, err := localrt.EnsureKeyring(keyringFile)
	if err != nil {
		return err
	}
	if created {
		fmt.Fprintf(stderr, "created keyring %s (0600)\n", keyringFile)
	}
	return nil
}

// withData makes sure the local table and keyring are ready, starting
// DynamoDB Local on the same data directory for this one command when
// nothing answers on DYNAMODB_PORT (two servers on one directory would
// fight over its database file, hence only then). The returned stop ends
// what it started.
func withData(ctx context.Context, s settings, stderr io.Writer) (stop func(), err error) {
	stop = func() {}
	if !ddblocal.Reachable(ctx, s.endpoint()) {
		fmt.Fprintf(stderr, "no DynamoDB Local on %s; starting one on %s for this command (start `make run` to keep one up)\n",
			s.endpoint(), filepath.Join(s.localDir, "ddb"))
		ddb, err := ddblocal.Start(ctx, ddblocal.Options{LocalDir: s.localDir, Port: s.ddbPort, DBPath: filepath.Join(s.localDir, "ddb")})
		if err != nil {
			return stop, err
		}
		stop = func() { _ = ddb.Stop() }
	}
	if err := prepare(ctx, s, stderr); err != nil {
		stop()
		return func() {}, err
	}
	return stop, nil
}

// logsToStderr keeps stdout for the command's answer, as `sam local invoke`
// does: functions log to standard output (as in Lambda). The returned
// restore undoes it.
func logsToStderr(stdout io.Writer) (restore func()) {
	answerOut := os.Stdout
	if stdout != os.Stdout {
		return func() {}
	}
	os.Stdout = os.Stderr
	return func() { os.Stdout = answerOut }
}

// functionsOnData builds the named functions as the template st wires
// them, on the local data (started for this command when nothing serves
// it), with function logs on stderr. done undoes all of it.
func functionsOnData(ctx context.Context, s settings, st *stack.Stack, stdout, stderr io.Writer, ids ...string) (fns map[string]localrt.Target, done func(), err error) {
	useLocalAWS()
	stop, err := withData(ctx, s, stderr)
	if err != nil {
		return nil, func() {}, err
	}
	_, gatewayURL, stopGateway, err := startGateway(st, s)
	if err != nil {
		stop()
		return nil, func() {}, err
	}
	s.gatewayURL = gatewayURL
	restore := logsToStderr(stdout)
	built, err := localfn.Build(ctx, st, s.envOptions(), ids...)
	if err != nil {
		restore()
		stopGateway()
		stop()
		return nil, func() {}, err
	}
	// The functions' environments end first: their extensions may still
	// write to the table and log.
	done = func() {
		if err := built.Close(); err != nil {
			fmt.Fprintln(stderr, "closing the functions' environments:", err)
		}
		restore()
		stopGateway()
		stop()
	}
	return built, done, nil
}
