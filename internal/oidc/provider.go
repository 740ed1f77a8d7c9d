package oidc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/keymint/keymint/internal/localport"
	"github.com/keymint/keymint/internal/localproc"
)

// DefaultClientID is the provider's one client unless Options says otherwise.
const DefaultClientID = "keymint-local"

// AdminGroup is the group root belongs to; keymint's local stack maps it to
// admin through the groups claim.
const AdminGroup = "keymint-admins"

// IDTokenTTL is how long the provider's ID tokens last.
const IDTokenTTL = time.Hour

// ErrNotReady means the provider started but never said it was serving.
var ErrNotReady = errors.New("oidc: the provider did not become ready")

// User is a development user of the provider; the password is the name.
type User struct {
	Name     string   `json:"name"`
	Password string   `json:"password"`
	Groups   []string `json:"groups"`
}

// DevUsers are the provider's users.
func DevUsers() []User {
	return []User{
		{Name: "alice", Password: "alice", Groups: []string{}},
		{Name: "bob", Password: "bob", Groups: []string{}},
		{Name: "root", Password: "root", Groups: []string{AdminGroup}},
	}
}

// Options says how to run the provider.
type Options struct {
	LocalDir     string   // install directory and key store, default ".local"
	Port         int      // 0 picks a free port
	ClientID     string   // default DefaultClientID
	RedirectURIs []string // the client's, besides CLIRedirectURI
}

// Provider is a running provider process.
type Provider struct {
	cmd      *exec.Cmd
	issuer   string
	clientID string
	done     chan struct{} // closed when the process has exited
	waitErr  error
	output   *localproc.Tail
	stopOnce sync.Once
	stopErr  error
}

// CLIRedirectURI is the redirect URI Login uses. Nothing serves it: Login
// reads the code from the redirect and never follows it.
func CLIRedirectURI(issuer string) string { return issuer + "/cli-callback" }

// readyPrefix starts the line server.mjs prints once it serves.
const readyPrefix = "keymint-oidc ready"

// serverConfig is KEYMINT_OIDC_CONFIG, everything server.mjs is told.
type serverConfig struct {
	Issuer       string   `json:"issuer"`
	Port         int      `json:"port"`
	JWKSFile     string   `json:"jwksFile"`
	ClientID     string   `json:"clientId"`
	RedirectURIs []string `json:"redirectUris"`
	Users        []User   `json:"users"`
	IDTokenTTL   int      `json:"idTokenTTL"`
}

// Start installs the provider if needed, makes the signing key on first use
// and runs the provider on 127.0.0.1; it returns once the provider serves.
func Start(ctx context.Context, o Options) (*Provider, error) {
	if o.LocalDir == "" {
		o.LocalDir = ".local"
	}
	if o.ClientID == "" {
		o.ClientID = DefaultClientID
	}
	localDir, err := filepath.Abs(o.LocalDir)
	if err != nil {
		return nil, fmt.Errorf("oidc: %w", err)
	}
	dir, node, err := ensureInstalled(ctx, localDir)
	if err != nil {
		return nil, err
	}
	if _, _, err := SigningKey(localDir); err != nil {
		return nil, err
	}
	port := o.Port
	if port == 0 {
		if port, err = localport.Free(); err != nil {
			return nil, err
		}
	}
	issuer := "http://127.0.0.1:" + strconv.Itoa(port)
	redirects := []string{CLIRedirectURI(issuer)}
	for _, u := range o.RedirectURIs {
		if !slices.Contains(redirects, u) {
			redirects = append(redirects, u)
		}
	}
	cfg, err := json.Marshal(serverConfig{
		Issuer: issuer, Port: port, JWKSFile: JWKSFile(localDir), ClientID: o.ClientID,
		RedirectURIs: redirects, Users: DevUsers(), IDTokenTTL: int(IDTokenTTL / time.Second),
	})
	if err != nil {
		return nil, fmt.Errorf("oidc: %w", err)
	}
	// Not CommandContext: the provider outlives the start-up context and is
	// ended only by Stop.
	cmd := exec.Command(node, serverFile)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "KEYMINT_OIDC_CONFIG="+string(cfg))
	cmd.SysProcAttr = sysProcAttr()
	out := &localproc.Tail{Max: 8 << 10}
	ready := &lineWatch{prefix: readyPrefix, seen: make(chan struct{}), next: out}
	cmd.Stdout, cmd.Stderr = ready, out
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("oidc: start node: %w", err)
	}
	p := &Provider{cmd: cmd, issuer: issuer, clientID: o.ClientID, done: make(chan struct{}), output: out}
	go func() {
		p.waitErr = cmd.Wait()
		close(p.done)
	}()
	timer := time.NewTimer(30 * time.Second)
	defer timer.Stop()
	select {
	case <-ready.seen:
		return p, nil
	case <-p.done:
		return nil, fmt.Errorf("%w: node exited (%v):\n%s", ErrNotReady, p.waitErr, p.Output())
	case <-timer.C:
		err = fmt.Errorf("%w within 30s:\n%s", ErrNotReady, p.Output())
	case <-ctx.Done():
		err = ctx.Err()
	}
	_ = p.Stop()
	return nil, err
}

// Issuer is the provider's issuer, http://127.0.0.1:<port>.
func (p *Provider) Issuer() string { return p.issuer }

// ClientID is the provider's one client.
func (p *Provider) ClientID() string { return p.clientID }

// Done is closed when the process exits, whether by Stop or by itself.
func (p *Provider) Done() <-chan struct{} { return p.done }

// Output returns the tail of the provider's stdout and stderr.
func (p *Provider) Output() string { return p.output.String() }

// Stop ends the provider (SIGTERM, SIGKILL after 10 seconds) and waits for
// it; calling it again returns the first result.
func (p *Provider) Stop() error {
	p.stopOnce.Do(func() {
		localproc.StopGroup(p.cmd.Process.Pid, p.done, 10*time.Second)
		var exit *exec.ExitError
		if p.waitErr != nil && !errors.As(p.waitErr, &exit) {
			p.stopErr = fmt.Errorf("oidc: stop: %w", p.waitErr)
		} else if errors.As(p.waitErr, &exit) && exit.Exited() {
			p.stopErr = fmt.Errorf("oidc: the provider exited with status %d:\n%s", exit.ExitCode(), p.Output())
		}
	})
	return p.stopErr
}
